import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CMID_R50 = osp.join(REPO, 'configs/cmid/cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py')


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
