"""configs/oriented_detection: every config builds (and runs a rotated forward), and the random-init
ResNet-50 DOTA config trains 2 iterations + validates on CPU through tools/train.py on tiny
DOTA-format data."""
import glob
import json
import os.path as osp
import subprocess

import cv2
import numpy as np
import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope

from cmid_mm.detection import dump_dota_labels
from cmid_mm.detection.rotated import rboxes_to_polys
from ..fakes.rotated import random_scene

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# the paper configs (the CPU demos on rotated NEON patches: tests/test_demo/test_oriented_demo.py)
CONFIGS = sorted(
    osp.relpath(p, REPO) for p in glob.glob(f'{REPO}/configs/oriented_detection/*.py')
    if 'neon-trees-rotated' not in p)
DOTA_RANDOM = 'configs/oriented_detection/oriented-rcnn_resnet50-random_fpn_1xb2-1x_dotav1-1024.py'


def test_configs_found():
    assert len(CONFIGS) == 12 and DOTA_RANDOM in CONFIGS


@pytest.mark.parametrize('config', CONFIGS)
def test_config_builds_with_the_paper_settings(config):
    cfg = Config.fromfile(osp.join(REPO, config))
    assert cfg.default_scope == 'mmdet' and 'cmid_mm' in cfg.custom_imports.imports
    assert cfg.model.backbone.type.startswith('mmpretrain.')
    assert cfg.train_cfg.max_epochs == 12
    assert [s.get('milestones') for s in cfg.param_scheduler] == [None, [8, 11]]
    assert cfg.param_scheduler[0].end == 500 and cfg.optim_wrapper.clip_grad.max_norm == 35
    if 'r50' in config:
        assert cfg.optim_wrapper.optimizer.type == 'SGD' and cfg.optim_wrapper.optimizer.lr == 0.005
    flip = [t for t in cfg.train_pipeline if t.type == 'RotatedRandomFlip'][0]
    assert flip.prob == [0.25] * 3 and flip.direction == ['horizontal', 'vertical', 'diagonal']
    cfg.model.backbone.init_cfg = None  # no zoo download
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    assert model.roi_head.bbox_head.num_classes == (20 if 'dior' in config else 15)
    if 'cmid-resnet50' in config or 'resnet50-in1k' in config:
        assert cfg.model.backbone.frozen_stages == 1 and cfg.model.backbone.norm_eval
    model.eval()
    with torch.no_grad():
        feats = model.extract_feat(torch.zeros(1, 3, 64, 64))
        assert [f.shape[-1] for f in feats] == [16, 8, 4, 2, 1]
        cls_scores, bbox_preds = model.rpn_head(feats)
        assert bbox_preds[0].shape[1] == 3 * 6  # 3 anchors x midpoint-offset deltas


@pytest.fixture
def tiny_dota_obb(tmp_path):
    """DOTA's layout, 2 trainval and 1 val 128 px images of rotated rectangles."""
    rng = np.random.default_rng(0)
    classes = ('plane', 'ship')
    for split, names in (('trainval', ['P0000', 'P0001']), ('val', ['P0002'])):
        for sub in ('images', 'labelTxt'):
            (tmp_path / split / sub).mkdir(parents=True)
        for name in names:
            img, boxes, labels = random_scene(rng, size=128)
            cv2.imwrite(str(tmp_path / split / 'images' / f'{name}.png'), img)
            dump_dota_labels(str(tmp_path / split / 'labelTxt' / f'{name}.txt'),
                             rboxes_to_polys(boxes), [classes[i] for i in labels],
                             [0] * (len(labels) - 1) + [1])
    return tmp_path


def test_train_two_iterations_and_validate(tiny_dota_obb, tmp_path, python):
    work_dir = tmp_path / 'work'
    options = [
        f'train_dataloader.dataset.data_root={tiny_dota_obb}',
        f'val_dataloader.dataset.data_root={tiny_dota_obb}',
        'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
        'train_dataloader.dataset.pipeline.2.scale=(128,128)',  # RotatedResize
        'val_dataloader.dataset.pipeline.1.scale=(128,128)',
        'train_dataloader.batch_size=1', 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
        'default_hooks.logger.interval=1', 'default_hooks.checkpoint.save_last=False',
        'default_hooks.checkpoint.interval=2',
    ]
    proc = subprocess.run([python, 'tools/train.py', DOTA_RANDOM, '--work-dir', str(work_dir),
                           '--cfg-options', *options], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-5000:]
    assert 'Epoch(train) [1][2/2]' in log
    scalars = glob.glob(str(work_dir / '*' / 'vis_data' / 'scalars.json'))
    records = [json.loads(line) for line in open(scalars[0])]
    assert any('loss_rpn_bbox' in r and 'loss_bbox' in r for r in records)
    mean_ap = [r['dota/mAP'] for r in records if 'dota/mAP' in r]
    assert len(mean_ap) == 1 and 0 <= mean_ap[0] <= 1


def test_metafile_lists_every_config():
    import yaml
    meta = yaml.safe_load(open(osp.join(REPO, 'configs/oriented_detection/metafile.yml')))
    every = sorted(osp.relpath(p, REPO)
                   for p in glob.glob(f'{REPO}/configs/oriented_detection/*.py'))
    assert sorted(m['Config'] for m in meta['Models']) == every
