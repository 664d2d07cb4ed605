"""Official CMID full checkpoints convert as released: the trainer's pickled objects load as inert
stand-ins, nothing of the official code is needed or run, anything else is still refused."""
import collections
import sys
import types

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from .conftest import assert_one_line_error, run_tool

ARCHS = {
    'resnet50': dict(type='ResNet', depth=50),
    'swin-base': dict(type='SwinTransformer', arch='base', img_size=224, out_indices=(3, )),
}


def official_class(module, name, base=object):
    """A class that pickles under the official trainer's module path (as its files name it)."""
    parts = module.split('.')
    for i in range(1, len(parts) + 1):
        sys.modules.setdefault('.'.join(parts[:i]), types.ModuleType('.'.join(parts[:i])))
    cls = type(name, (base, ), {})
    cls.__module__ = module
    setattr(sys.modules[module], name, cls)
    return cls


def save_official(path, backbone_state, extra=None):
    """The official trainer's save_checkpoint layout: epoch, num_gpus, model (student
    online_encoder.model.* and teacher), optimizer, metric_storage (MetricStroge of
    HistoryBuffers holding deques), hooks."""
    buffer_cls = official_class('Exploring.utils.history_buffer', 'HistoryBuffer')
    storage_cls = official_class('Exploring.utils.metric', 'MetricStroge', dict)
    try:
        storage = storage_cls()
        storage._window_size, storage._history = 20, storage
        storage._smooth, storage._latest_iter = {'total_loss': True, 'lr': False}, {}
        for key, values in (('total_loss', [np.float64(7.1), np.float64(6.9)]), ('lr', [1e-3])):
            buf = buffer_cls()
            buf._history = collections.deque(values, maxlen=20)
            buf._count, buf._sum = len(values), float(sum(values))
            storage[key] = buf
            storage._latest_iter[key] = 1
        model = {f'online_encoder.model.{k}': v for k, v in backbone_state.items()}
        model.update({f'target_encoder.model.{k}': v.clone() for k, v in backbone_state.items()})
        model['online_encoder.mask_token'] = torch.zeros(1, 1, 8)
        params = [torch.nn.Parameter(torch.zeros(2))]
        optimizer = torch.optim.SGD(params, lr=1e-3, momentum=0.9)
        params[0].grad = torch.ones(2)
        optimizer.step()
        ckpt = dict(epoch=399, num_gpus=4, model=model, optimizer=optimizer.state_dict(),
                    metric_storage=storage,
                    hooks={'CheckpointerHook': {'_period': 10, '_max_to_keep': None,
                                                '_recent_checkpoints': ['epoch_399.pth']}})
        if extra is not None:
            ckpt['trainer'] = official_class('Exploring.trainer', 'Trainer')()
        torch.save(ckpt, path)
    finally:  # the converter must not need (or find) the official code
        for name in [m for m in sys.modules if m == 'Exploring' or m.startswith('Exploring.')]:
            del sys.modules[name]


@pytest.mark.parametrize('arch', ARCHS)
def test_official_full_checkpoint_converts(arch, tmp_path):
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    backbone = MODELS.build(ARCHS[arch])
    path, out = tmp_path / 'epoch_399.pth', tmp_path / 'out.pth'
    save_official(path, backbone.state_dict())
    proc = run_tool('model_converters/cmid_official_to_mm.py', path, out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    converted = torch.load(out)['state_dict']
    missing, unexpected = MODELS.build(ARCHS[arch]).load_state_dict(converted, strict=False)
    assert missing == [] and unexpected == []
    for key, value in backbone.state_dict().items():
        assert torch.equal(converted[key], value), key


def test_any_other_object_is_still_refused(tmp_path):
    init_default_scope('mmpretrain')
    path = tmp_path / 'with_trainer.pth'
    save_official(path, MODELS.build(dict(type='ResNet', depth=18)).state_dict(), extra=True)
    proc = run_tool('model_converters/cmid_official_to_mm.py', path, tmp_path / 'out.pth')
    assert_one_line_error(proc, 'refused to load', 'GLOBAL Exploring.trainer.Trainer',
                          'nothing in it was executed')
    assert not (tmp_path / 'out.pth').exists()


def test_stand_ins_are_only_for_the_converter(tmp_path):
    """Training tools keep the narrow allow-list: an official full checkpoint is refused there."""
    from cmid_mm.checkpoint import CheckpointError, read_checkpoint
    init_default_scope('mmpretrain')
    path = tmp_path / 'official.pth'
    save_official(path, MODELS.build(dict(type='ResNet', depth=18)).state_dict())
    with pytest.raises(CheckpointError, match='GLOBAL Exploring.utils.metric.MetricStroge'):
        read_checkpoint(path)
