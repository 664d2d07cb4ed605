"""configs/detection: every config builds, CMID checkpoints load into the backbones, and the
CMID ResNet-50 DIOR config trains 2 iterations + validates on CPU through tools/train.py."""
import glob
import os.path as osp

import mmdet
import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS as PRETRAIN_MODELS

from .helpers import (REPO, assert_loads_with_no_missing_key, backbone_of, build_model,
                      build_model_once, load_downstream_config, local_data_options,
                      train_and_read_scalars)

CONFIGS = sorted(osp.relpath(p, REPO) for p in glob.glob(f'{REPO}/configs/detection/*.py'))
DIOR_R50 = 'configs/detection/faster-rcnn_cmid-resnet50_fpn_4xb2-1x_dior.py'
MMDET_TRAIN = osp.join(osp.dirname(mmdet.__file__), '.mim', 'tools', 'train.py')
DOTA_R50 = 'configs/detection/faster-rcnn_cmid-resnet50_fpn_4xb2-1x_dotav1-hbb-1024.py'


def build_detector(config, **backbone):
    return build_model(config, MODELS, **backbone)


def test_configs_found():
    assert len(CONFIGS) >= 14 and {DIOR_R50, DOTA_R50} <= set(CONFIGS)


@pytest.mark.parametrize('config', CONFIGS)
def test_config_builds(config):
    cfg = load_downstream_config(config, 'mmdet')
    num_classes = {'dior': 20, 'dotav1': 15, 'neon-trees': 1}
    expected = [n for key, n in num_classes.items() if key in config]
    model = build_model_once(cfg, MODELS, init_cfg=None)  # no zoo download; read only
    assert [model.roi_head.bbox_head.num_classes] == expected
    feats = model.extract_feat(torch.zeros(1, 3, 64, 64))
    assert [f.shape[-1] for f in feats] == [16, 8, 4, 2, 1]  # FPN strides 4-64


@pytest.mark.parametrize('config', [DIOR_R50, DOTA_R50])
def test_cmid_r50_checkpoint_loads_with_no_missing_key(config, cmid_r50_checkpoint):
    model = build_detector(config, init_cfg=dict(type='Pretrained', prefix='backbone.',
                                                 checkpoint=str(cmid_r50_checkpoint)))
    assert_loads_with_no_missing_key(model, backbone_of(cmid_r50_checkpoint))


def test_cmid_swin_checkpoint_loads(tmp_path):
    """All CMID Swin-B keys load; new are only the extra pyramid levels' norms (norm0-2)."""
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/cmid/cmid_swin-base_4xb64-adan-coslr-400e_millionaid.py'))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        expected = PRETRAIN_MODELS.build(cfg.model.backbone).state_dict()
    path = tmp_path / 'cmid_swin.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in expected.items()}}, path)
    model = build_detector(DIOR_R50.replace('cmid-resnet50', 'cmid-swin-base'),
                           init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                         prefix='backbone.'))
    own = set(model.backbone.state_dict())
    assert not set(expected) - own
    assert {k.split('.')[0] for k in own - set(expected)} == {'norm0', 'norm1', 'norm2'}
    model.init_weights()
    loaded = model.backbone.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in expected.items())


def test_train_two_iterations_and_validate(tiny_dior, cmid_r50_checkpoint, tmp_path, python):
    # mmdet's own packaged tools/train.py, unchanged: the config's custom_imports is all it needs
    # (tools/train.py of this repository trains the other configs in the suite)
    work_dir = tmp_path / 'work'
    options = local_data_options(tiny_dior) + [
        'train_dataloader.dataset.pipeline.2.scale=(64,64)',  # Resize
        'val_dataloader.dataset.pipeline.1.scale=(64,64)',
        f'model.backbone.init_cfg.checkpoint={cmid_r50_checkpoint}',
        'train_dataloader.batch_size=1', 'train_cfg.max_epochs=1',  # 2 images: 2 iterations
        'default_hooks.logger.interval=1', 'default_hooks.checkpoint.save_last=False',
        'default_hooks.checkpoint.interval=2',
    ]
    log, records = train_and_read_scalars(
        [python, MMDET_TRAIN, DIOR_R50, '--work-dir', str(work_dir), '--cfg-options', *options],
        cmid_r50_checkpoint, work_dir)
    assert 'Epoch(train) [1][2/2]' in log
    assert any('loss_rpn_cls' in r for r in records)
    mean_ap = [r['pascal_voc/mAP'] for r in records if 'pascal_voc/mAP' in r]
    assert len(mean_ap) == 1 and 0 <= mean_ap[0] <= 1
