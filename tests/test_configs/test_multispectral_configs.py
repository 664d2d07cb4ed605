"""configs/multispectral: the 6-band CMID pretraining and segmentation configs build and run a
step on a synthetic 6-band GeoTIFF through their own pipelines."""
import os.path as osp

import cv2
import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import default_collate, pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from ..fakes.rasters import write_raster

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG_DIR = osp.join(REPO, 'configs', 'multispectral')
PRETRAIN = 'cmid_resnet18-6band_1xb16-adan-100i_landsat7-demo.py'
PRETRAIN_RGB = 'cmid_resnet18-6band-rgbinit_1xb16-adan-100i_landsat7-demo.py'
SEG = ['fpn_cmid-resnet18-6band_1xb8-150i_landsat7-landcover.py',
       'fpn_resnet18-6band-random_1xb8-150i_landsat7-landcover.py']


def make_tile(tmp_path, size):
    """A 6-band uint8 GeoTIFF in the demo's DN range, with a nodata corner."""
    data = np.random.default_rng(0).integers(20, 160, (6, size, size)).astype(np.uint8)
    data[:, :4, :4] = 0
    return write_raster(tmp_path / 'tile.tif', data, nodata=0)


def test_pretrain_config_loss_step(tmp_path):
    tile = make_tile(tmp_path, 96)
    cfg = Config.fromfile(osp.join(CFG_DIR, PRETRAIN))
    init_default_scope('mmpretrain')
    from mmpretrain.registry import MODELS, TRANSFORMS
    assert cfg.model.backbone.in_channels == 6 and cfg.model.decoder.out_channels == 6
    model = MODELS.build(cfg.model)
    model.init_weights()
    pipeline = Compose([TRANSFORMS.build(t) for t in cfg.train_dataloader.dataset.pipeline])
    batch = default_collate([pipeline(dict(img_path=tile)) for _ in range(2)])
    data = model.data_preprocessor(batch, True)
    assert [v.shape for v in data['inputs']] == [(2, 6, 96, 96)] * 2
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_global', 'loss_local', 'loss_rec'}
    assert all(torch.isfinite(v) for v in losses.values())


def test_pretrain_config_from_rgb_cmid_checkpoint(tmp_path):
    """The rgbinit variant: an RGB CMID checkpoint starts the 6-band CMID student."""
    init_default_scope('mmpretrain')
    from mmpretrain.registry import MODELS
    rgb = MODELS.build(dict(type='CMIDResNet', depth=18))
    ckpt = tmp_path / 'rgb_cmid.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in rgb.state_dict().items()}}, ckpt)
    cfg = Config.fromfile(osp.join(CFG_DIR, PRETRAIN_RGB))
    cfg.model.backbone.init_cfg.checkpoint = str(ckpt)
    model = MODELS.build(cfg.model)
    model.init_weights()
    w = model.backbone.conv1.weight
    torch.testing.assert_close(w[:, [2, 1, 0]], rgb.conv1.weight)
    torch.testing.assert_close(w[:, 3:], rgb.conv1.weight.mean(1, keepdim=True).expand(
        -1, 3, -1, -1) * 0.5)  # alpha = 3 / 6
    torch.testing.assert_close(model.backbone.layer4[1].bn2.weight, rgb.layer4[1].bn2.weight)


def test_segmentation_config_loads_a_cmid_checkpoint(tmp_path):
    """The backbone's `backbone.*` of a CMID checkpoint (RGB here, as the NEON demo's) lands in
    the 6-band segmentor through AdaptInputBands + Pretrained."""
    init_default_scope('mmpretrain')
    from mmpretrain.registry import MODELS as PRE
    cmid_backbone = PRE.build(dict(type='CMIDResNet', depth=18))
    ckpt = tmp_path / 'cmid.pth'
    state = {f'backbone.{k}': v for k, v in cmid_backbone.state_dict().items()}
    torch.save({'state_dict': {**state, 'mask_token': torch.zeros(1, 64)}}, ckpt)
    cfg = Config.fromfile(osp.join(CFG_DIR, SEG[0]))
    cfg.model.backbone.init_cfg.checkpoint = str(ckpt)
    init_default_scope('mmseg')
    from mmseg.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.testing.assert_close(model.backbone.conv1.weight[:, [2, 1, 0]],
                               cmid_backbone.conv1.weight)
    torch.testing.assert_close(model.backbone.layer3[0].conv2.weight,
                               cmid_backbone.layer3[0].conv2.weight)


def test_segmentation_config_train_and_predict(tmp_path):
    tile = make_tile(tmp_path, 64)  # the demo's tile size (the preprocessor pads to 64)
    cfg = Config.fromfile(osp.join(CFG_DIR, SEG[1]))  # scratch: its init needs no file
    init_default_scope('mmseg')
    from mmseg.registry import MODELS, TRANSFORMS
    model = MODELS.build(cfg.model)
    model.init_weights()
    label = tmp_path / 'label.png'
    lab = np.full((64, 64), 255, np.uint8)
    lab[10:30, 10:50] = 3
    lab[40:60, 20:40] = 5
    cv2.imwrite(str(label), lab)
    pipeline = Compose([TRANSFORMS.build(t) for t in cfg.train_dataloader.dataset.pipeline])
    sample = dict(img_path=tile, seg_map_path=str(label), reduce_zero_label=False, seg_fields=[])
    batch = pseudo_collate([pipeline(dict(sample)) for _ in range(2)])
    cfg_pre = cfg.model.data_preprocessor
    assert len(cfg_pre.mean) == len(cfg_pre.std) == 6 and not cfg_pre.bgr_to_rgb
    model.train()
    losses = model.train_step(batch, OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01)))
    assert torch.isfinite(losses['decode.loss_ce'])
    model.eval()
    test_pipeline = Compose([TRANSFORMS.build(t) for t in cfg.test_pipeline])
    out = model.test_step(pseudo_collate([test_pipeline(dict(sample))]))
    assert out[0].seg_logits.data.shape == (7, 64, 64)
