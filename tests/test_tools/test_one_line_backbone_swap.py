"""A backbone swap in a config is the backbone line alone: neck / head / decoder widths follow.

Fails before 'auto' widths: the base config's necks and decoder took 2048 channels (ResNet-50),
so a ResNet-18 / Swin-T / ViT-S leaf without the width lines broke in ``loss()``.
"""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS
from mmseg.registry import MODELS as SEG_MODELS

from mmpretrain.structures import DataSample

from cmid_mm.datasets import CMIDTwoViews

PAPER = 'configs/cmid/cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py'


def two_view_batch(model, size):
    """One random image through CMIDTwoViews and the model's preprocessor."""
    np.random.seed(0)
    s = CMIDTwoViews(img_size=size)(dict(img=np.random.randint(0, 255, (size + 16, size + 16, 3),
                                                               np.uint8)))
    inputs = [torch.from_numpy(s['img'][v]).permute(2, 0, 1)[None] for v in range(2)]
    samples = [DataSample(crop_boxes=s['crop_boxes']).set_mask(s['mask'])]
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    return data['inputs'], data['data_samples']


def one_line_leaf(tmp_path, repo_root, base, model_line):
    leaf = tmp_path / 'leaf.py'
    leaf.write_text(f"_base_ = '{repo_root}/{base}'\nmodel = {model_line}\n")
    return Config.fromfile(str(leaf))


SWAPS = {  # model line, backbone output width, stride, BN in the local neck, test image size
    'resnet18': ("dict(backbone=dict(depth=18))", 512, 32, True, 64),
    'swin-tiny': ("dict(backbone=dict(_delete_=True, type='CMIDSwinTransformer', arch='tiny', "
                  "img_size=224))", 768, 32, False, 224),  # window 7: 224 px for 7x7 cells
    'vit-small': ("dict(backbone=dict(_delete_=True, type='CMIDVisionTransformer', "
                  "arch='deit-small', img_size=224, patch_size=16))", 384, 16, False, 64),
}


@pytest.mark.parametrize('name', SWAPS)
def test_cmid_backbone_swap_is_one_line(name, tmp_path, repo_root, message_hub):
    line, width, stride, with_bn, size = SWAPS[name]
    message_hub.update_info('iter', 0)
    message_hub.update_info('max_iters', 10)
    message_hub.update_info('max_epochs', 1)
    cfg = one_line_leaf(tmp_path, repo_root, PAPER, line).model
    cfg.global_head.queue_len = 16  # sizes of the heads, not widths
    cfg.local_head.num_pairs = 2
    model = MODELS.build(cfg)
    model.init_weights()
    assert model.global_neck.mlp[0].in_features == width
    assert model.local_neck.mlp[0].in_features == width
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in model.local_neck.modules()) == with_bn
    assert model.decoder.decoder[0].in_channels == width
    assert model.decoder.decoder[0].out_channels == stride**2 * 3
    losses = model(*two_view_batch(model, size), mode='loss')
    assert set(losses) == {'loss_global', 'loss_local', 'loss_rec'}
    assert all(torch.isfinite(v) for v in losses.values())


SEG_LEAVES = {  # config, widths UperHead reads
    'resnet18': ('configs/segmentation/upernet_cmid-resnet18-auto-width_1xb8-150i_'
                 'landsat-landcover-demo.py', [64, 128, 256, 512]),
    'swin-tiny': ('configs/segmentation/upernet_swin-tiny-random_1xb8-150i_'
                  'landsat-landcover-demo.py', [96, 192, 384, 768]),
}


@pytest.mark.parametrize('name', SEG_LEAVES)
def test_upernet_backbone_swap_is_one_line(name):
    path, widths = SEG_LEAVES[name]
    init_default_scope('mmseg')
    model = SEG_MODELS.build(Config.fromfile(path).model)  # no init_weights: no checkpoint needed
    assert model.decode_head.in_channels == widths
    logits = model(torch.randn(2, 3, 128, 128), mode='tensor')
    assert logits.shape == (2, 7, 32, 32)  # 7 classes at UperHead's stride 4


def test_the_swin_leaf_changes_only_the_backbone():
    swin = Config.fromfile(SEG_LEAVES['swin-tiny'][0]).model
    r18 = Config.fromfile(SEG_LEAVES['resnet18'][0]).model
    swin.pop('backbone'), r18.pop('backbone')
    assert swin.to_dict() == r18.to_dict()
