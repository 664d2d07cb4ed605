"""mmengine checkpoints load and resume under torch's weights_only=True default, and stay safe."""
import pickle
import subprocess
import sys

import cmid_mm  # noqa: F401  registers the checkpoint safe globals
import pytest
import torch
import torch.nn as nn
from cmid_mm.checkpoint import CheckpointError, register_checkpoint_safe_globals
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import CheckpointLoader, Runner


class TinyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, inputs, targets, mode='loss'):
        out = self.fc(torch.stack(inputs)).squeeze(-1)
        if mode == 'loss':
            return dict(loss=((out - torch.stack(targets))**2).mean())
        return list(out)


class TinyDataset(torch.utils.data.Dataset):

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(inputs=torch.tensor([i, 1.0 - i]), targets=torch.tensor(i % 2.0))


class RecordResumedState(Hook):
    """Copies what training starts from, i.e. the state right after resuming."""

    def before_train(self, runner):
        self.iter = runner.iter
        self.optimizer = runner.optim_wrapper.optimizer.state_dict()
        self.optimizer['state'] = {
            k: {n: v.clone() for n, v in s.items()}
            for k, s in self.optimizer['state'].items()
        }


def make_runner(work_dir, max_iters, name, **kwargs):
    return Runner(
        model=TinyModel(),
        work_dir=str(work_dir),
        experiment_name=name,  # separate MessageHub/logger instances per runner
        train_dataloader=dict(
            dataset=TinyDataset(),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=2,
            num_workers=0),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', by_epoch=False, milestones=[3]),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False)),
        randomness=dict(seed=0),
        **kwargs)


@pytest.fixture(scope='module')
def ckpt(tmp_path_factory):
    """A checkpoint with optimizer, param schedulers and message hub, at iter 4."""
    work_dir = tmp_path_factory.mktemp('train')
    make_runner(work_dir, max_iters=4, name='ckpt_train').train()
    return work_dir / 'iter_4.pth'


def test_runner_checkpoint_loads_with_default_weights_only(ckpt):
    assert torch.serialization.get_unsafe_globals_in_checkpoint(str(ckpt)) == []
    state = torch.load(ckpt)  # torch >= 2.6: weights_only=True
    assert isinstance(state['message_hub']['log_scalars']['train/loss'], HistoryBuffer)


def test_checkpoint_refused_without_cmid_mm(ckpt):
    # Shows what the fix is for: a fresh interpreter that does not import cmid_mm refuses it.
    proc = subprocess.run(
        [sys.executable, '-c', 'import sys, torch; torch.load(sys.argv[1], weights_only=True)',
         str(ckpt)],
        capture_output=True,
        text=True)
    assert proc.returncode != 0
    assert 'Weights only load failed' in proc.stderr


def test_resume_continues_iter_and_optimizer_state(ckpt, tmp_path):
    saved = torch.load(ckpt)
    record = RecordResumedState()
    runner = make_runner(
        tmp_path, max_iters=6, name='ckpt_resume', resume=True, load_from=str(ckpt),
        custom_hooks=[record])
    runner.train()

    assert record.iter == saved['meta']['iter'] == 4
    assert runner.iter == 6
    saved_state = saved['optimizer']['state']
    assert saved_state and record.optimizer['state'].keys() == saved_state.keys()
    for k, s in saved_state.items():
        assert torch.equal(record.optimizer['state'][k]['momentum_buffer'], s['momentum_buffer'])
    # lr (0.01 after the milestone) and the other hyper-parameters come back as saved
    assert record.optimizer['param_groups'] == saved['optimizer']['param_groups']


class _CreatesFile:
    """Unpickling this with the full unpickler would create ``path``."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return open, (self.path, 'w')


def test_arbitrary_pickled_object_is_refused(tmp_path):
    target = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, meta=dict(x=_CreatesFile(target))), path)

    with pytest.raises(CheckpointError, match=r'refused to load .*\(GLOBAL io\.open\)'):
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert not target.exists()


class _GetattrOnHistoryBuffer:

    def __init__(self, name):
        self.name = name

    def __reduce__(self):
        return getattr, (HistoryBuffer, self.name)


def test_getattr_allows_only_pickled_methods(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save(dict(ok=_GetattrOnHistoryBuffer('mean')), path)
    assert torch.load(path)['ok'] is HistoryBuffer.mean

    torch.save(dict(bad=_GetattrOnHistoryBuffer('__init__')), path)
    with pytest.raises(pickle.UnpicklingError, match='refusing getattr'):
        torch.load(path)


def test_register_is_idempotent():
    before = set(torch.serialization.get_safe_globals())
    register_checkpoint_safe_globals()
    register_checkpoint_safe_globals()
    assert set(torch.serialization.get_safe_globals()) == before
