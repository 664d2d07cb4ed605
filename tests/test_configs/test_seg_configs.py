"""configs/segmentation: every config builds, CMID checkpoints load into the backbones, and the
CMID ResNet-50 Potsdam config trains 2 iterations + validates on CPU through tools/train.py."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmseg.registry import MODELS

from .helpers import (REPO, assert_loads_with_no_missing_key, backbone_of, build_model,
                      build_model_once, load_downstream_config, local_data_options,
                      train_and_read_scalars, write_isprs_tiles)
CONFIGS = sorted(osp.relpath(p, REPO) for p in glob.glob(f'{REPO}/configs/segmentation/*.py'))
POTSDAM_R50 = 'configs/segmentation/upernet_cmid-resnet50_4xb4-80k_potsdam-512x512.py'


def build_segmentor(config, **backbone):
    return build_model(config, MODELS, **backbone)


def test_configs_found():
    assert len(CONFIGS) >= 28 and POTSDAM_R50 in CONFIGS


@pytest.mark.parametrize('config', CONFIGS)
def test_config_builds(config):
    cfg = load_downstream_config(config, 'mmseg')
    model = build_model_once(cfg, MODELS, init_cfg=None)  # no zoo download; read only
    num_classes = len(cfg.get('classes', ())) or 6
    assert model.decode_head.num_classes == num_classes
    x = torch.zeros(1, 3, 64, 64)
    feats = model.extract_feat(x)
    assert [f.shape[1] for f in feats] == list(model.decode_head.in_channels)  # as built
    assert [f.shape[-1] for f in feats] == [16, 8, 4, 2]  # strides 4-32 for UPerHead


@pytest.mark.parametrize('config', [POTSDAM_R50, POTSDAM_R50.replace('potsdam', 'vaihingen')])
def test_cmid_r50_checkpoint_loads_with_no_missing_key(config, cmid_r50_checkpoint):
    model = build_segmentor(config, init_cfg=dict(type='Pretrained', prefix='backbone.',
                                                  checkpoint=str(cmid_r50_checkpoint)))
    assert_loads_with_no_missing_key(model, backbone_of(cmid_r50_checkpoint))


@pytest.mark.parametrize('config,cmid_config,new_keys', [
    ('upernet_cmid-swin-base_4xb4-80k_potsdam-512x512.py',
     'cmid_swin-base_4xb64-adan-coslr-400e_millionaid.py', ('norm0.', 'norm1.', 'norm2.')),
    ('upernet_cmid-vit-base-p16_4xb4-80k_potsdam-512x512.py',
     'cmid_vit-base-p16_4xb64-adan-coslr-400e_millionaid.py', ()),
])
def test_cmid_transformer_checkpoint_loads(config, cmid_config, new_keys, tmp_path):
    """All CMID backbone keys load; the only new ones are Swin's extra pyramid-level norms."""
    cfg = Config.fromfile(osp.join(REPO, 'configs/cmid', cmid_config))
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        cmid_backbone = PRETRAIN_MODELS.build(cfg.model.backbone)
    expected = cmid_backbone.state_dict()
    path = tmp_path / 'cmid.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in expected.items()}}, path)
    model = build_segmentor(f'configs/segmentation/{config}',
                            init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                          prefix='backbone.'))
    own = set(model.backbone.state_dict())
    assert not set(expected) - own  # nothing unexpected
    assert sorted(own - set(expected)) == sorted(k for k in own if k.startswith(new_keys))
    model.init_weights()
    loaded = model.backbone.state_dict()
    for key, value in expected.items():
        if key == 'pos_embed':  # 224 px (14x14 + cls) resized to 512 px (32x32 + cls) on load
            assert value.shape == (1, 197, 768) and loaded[key].shape == (1, 1025, 768)
            assert torch.equal(loaded[key][:, 0], value[:, 0])
        else:
            assert torch.equal(loaded[key], value), key


@pytest.fixture
def tiny_potsdam(tmp_path):
    """mmseg's converted Potsdam layout: img_dir/{train,val}, ann_dir/{train,val} (labels 0-6,
    0 = ignored by reduce_zero_label)."""
    return write_isprs_tiles(tmp_path, {'train': 2, 'val': 1})


def test_train_two_iterations_and_validate(tiny_potsdam, cmid_r50_checkpoint, tmp_path, python):
    work_dir = tmp_path / 'work'
    options = local_data_options(tiny_potsdam) + [
        'train_dataloader.batch_size=2',
        'train_dataloader.dataset.pipeline.3.scale=(64,64)',  # RandomResize
        'train_dataloader.dataset.pipeline.4.crop_size=(64,64)',  # RandomCrop
        'val_dataloader.dataset.pipeline.3.scale=(64,64)',  # Resize
        'model.data_preprocessor.size=(64,64)',
        f'model.backbone.init_cfg.checkpoint={cmid_r50_checkpoint}',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.logger.interval=1', 'default_hooks.checkpoint.save_last=False',
    ]
    log, records = train_and_read_scalars(
        [python, 'tools/train.py', POTSDAM_R50, '--work-dir', str(work_dir),
         '--cfg-options', *options], cmid_r50_checkpoint, work_dir)
    assert 'Iter(train) [2/2]' in log
    miou = [r['mIoU'] for r in records if 'mIoU' in r]
    assert len(miou) == 1 and 0 <= miou[0] <= 100
