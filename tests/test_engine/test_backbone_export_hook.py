"""BackboneExportHook: a tiny CMID trained for 2 iterations leaves a student-backbone-only file
beside its full checkpoint, loadable by a plain mmpretrain ResNet."""
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.runner import Runner
from mmpretrain.models import ResNet

from .tiny_cmid import tiny_runner_config


def test_the_last_checkpoint_is_exported_as_the_student_backbone_only(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / 'images').mkdir()
    for i in range(4):
        cv2.imwrite(str(tmp_path / 'images' / f'{i}.png'),
                    rng.integers(0, 255, (72, 72, 3), np.uint8))
    cfg = tiny_runner_config(tmp_path / 'images', tmp_path / 'work', max_iters=2,
                             **{'default_hooks.checkpoint.interval': 1000})
    cfg.custom_hooks = [dict(type='BackboneExportHook')]
    runner = Runner.from_cfg(cfg)
    runner.train()

    full = osp.join(cfg.work_dir, 'iter_2.pth')
    exported = torch.load(osp.join(cfg.work_dir, 'student_backbone_last.pth'),
                          map_location='cpu')
    student = runner.model.backbone.state_dict()
    assert set(exported['state_dict']) == set(student)
    for key, value in student.items():
        torch.testing.assert_close(exported['state_dict'][key], value, rtol=0, atol=0)
    assert exported['meta']['source'] == osp.abspath(full)
    assert osp.getsize(osp.join(cfg.work_dir, 'student_backbone_last.pth')) < \
        osp.getsize(full) / 4
    plain = ResNet(depth=18, stem_channels=8, base_channels=8)
    assert not plain.load_state_dict(exported['state_dict'], strict=True).missing_keys
