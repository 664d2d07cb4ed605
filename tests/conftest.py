import os.path as osp
import sys
import uuid

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope, init_default_scope
from mmpretrain.registry import MODELS

import cmid_mm  # noqa: F401  registers modules and checkpoint safe globals

from .fakes.rasters import write_raster
from .fakes.voc import write_tiny_dior

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CMID_R50 = osp.join(REPO_ROOT, 'configs/cmid/cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py')

# A ResNet-18 classifier config (2 iterations) over a 2-class folder: the smallest real mmengine
# training run, for tool tests.
TINY_CLASSIFIER_CONFIG = """
default_scope = 'mmpretrain'
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=2, in_channels=512,
              loss=dict(type='CrossEntropyLoss')))
dataset = dict(type='CustomDataset', data_root={data_root!r},
               pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')])
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False, dataset=dataset,
                        sampler=dict(type='DefaultSampler', shuffle=True))
test_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False, dataset=dataset,
                       sampler=dict(type='DefaultSampler', shuffle=False))
test_evaluator = dict(type='Accuracy')
test_cfg = dict()
train_cfg = dict(by_epoch=False, max_iters=2)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
param_scheduler = dict(type='MultiStepLR', by_epoch=False, milestones=[3])
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
                     logger=dict(type='LoggerHook', interval=1))
log_processor = dict(by_epoch=False)
"""


def write_tiny_classifier(root):
    """4 synthetic 32x32 images in 2 class folders under ``root/data`` and the config over
    them (``root/tiny_cls.py``); returns the config path."""
    rng = np.random.default_rng(0)
    for cls in ('a', 'b'):
        (root / 'data' / cls).mkdir(parents=True)
        for i in range(2):
            cv2.imwrite(str(root / 'data' / cls / f'{i}.png'),
                        rng.integers(0, 255, (32, 32, 3), dtype=np.uint8))
    path = root / 'tiny_cls.py'
    path.write_text(TINY_CLASSIFIER_CONFIG.format(data_root=str(root / 'data')))
    return path


@pytest.fixture(autouse=True)
def _mmpretrain_scope():
    init_default_scope('mmpretrain')
    yield


@pytest.fixture
def message_hub():
    """A fresh MessageHub (schedules read iter / max_iters / max_epochs from it)."""
    return MessageHub.get_instance(f'test-{uuid.uuid4().hex}')  # newest = current instance


@pytest.fixture
def repo_root():
    return REPO_ROOT


@pytest.fixture
def python():
    return sys.executable


@pytest.fixture(scope='session')
def cmid_r50_checkpoint(tmp_path_factory):
    """A CMID ResNet-50 training-style checkpoint ``{'state_dict': CMID.state_dict()}``.

    Student, teacher, necks, heads and queue included: downstream loading must pick the student
    backbone (``backbone.*``) only.
    """
    cfg = Config.fromfile(CMID_R50)
    cfg.model.global_head.queue_len = 16
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
    path = tmp_path_factory.mktemp('cmid') / 'cmid_r50.pth'
    torch.save({'state_dict': model.state_dict()}, path)
    return path


@pytest.fixture
def make_raster(tmp_path):
    """``make_raster(name, data, **kwargs)``: write a GeoTIFF into ``tmp_path``, return its path."""
    def make(name, data, **kwargs):
        return write_raster(tmp_path / name, data, **kwargs)
    return make


@pytest.fixture
def mmseg_scope_one_thread():
    """mmseg's default scope (change detection lives in its registries) and one torch thread: the
    tiny test models gain nothing from more, and spinning threads crawl on a shared machine."""
    init_default_scope('mmseg')
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def tiny_dior(tmp_path):
    """DIOR's published layout with 64x64 images (ids 00001-00003 trainval, 00004 test)."""
    return write_tiny_dior(tmp_path / 'DIOR')
