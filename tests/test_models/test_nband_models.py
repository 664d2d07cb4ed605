"""N-band backbones, N-band data preprocessors, and RGB checkpoints loaded into N-band models."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from cmid_mm.models.utils import adapt_input_weight, register_band_adapter

VIT_TINY = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
SWIN_TINY = dict(embed_dims=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])
BACKBONES = {
    'resnet': dict(type='ResNet', depth=18),
    'resnet-deep-stem': dict(type='ResNetV1d', depth=18),
    'swin': dict(type='SwinTransformer', arch=SWIN_TINY, img_size=64, window_size=2),
    'vit': dict(type='VisionTransformer', arch=VIT_TINY, img_size=64, patch_size=16),
    'cmid-resnet': dict(type='CMIDResNet', depth=18),
    'cmid-swin': dict(type='CMIDSwinTransformer', arch=SWIN_TINY, img_size=64, window_size=2),
    'cmid-vit': dict(type='CMIDVisionTransformer', arch=VIT_TINY, img_size=64, patch_size=16),
}
STEMS = {'resnet': 'conv1', 'resnet-deep-stem': 'stem.0.conv', 'swin': 'patch_embed.projection',
         'vit': 'patch_embed.projection'}


def build(name, **kwargs):
    model = MODELS.build(dict(BACKBONES[name], **kwargs))
    model.eval()  # mmpretrain's ResNet.train() returns None: no chaining
    return model


@pytest.mark.parametrize('name', BACKBONES)
def test_n_band_forward(name):
    model = build(name, in_channels=6)
    out = model(torch.randn(2, 6, 64, 64))[-1]
    ref = build(name)(torch.randn(2, 3, 64, 64))[-1]
    shape = lambda o: (o[0] if isinstance(o, (list, tuple)) else o).shape  # noqa: E731
    assert shape(out) == shape(ref)


@pytest.mark.parametrize('name', ['cmid-resnet', 'cmid-swin', 'cmid-vit'])
def test_cmid_backbone_n_band_with_mask(name):
    model = build(name, in_channels=5)
    mask = torch.zeros(2, 2, 2)
    mask[:, 0, 1] = 1
    token = torch.randn(1, model.mask_token_dims)
    out = model(torch.randn(2, 5, 64, 64), mask=mask, mask_token=token)[-1]
    assert torch.isfinite(out).all()


def test_adapt_input_weight_rule():
    w = torch.randn(8, 3, 3, 3)
    new = adapt_input_weight(w, 5, rgb_bands=(2, 1, 0))
    torch.testing.assert_close(new[:, [2, 1, 0]], w)  # RGB filters unchanged
    for j in (3, 4):  # others: K/N x the mean filter
        torch.testing.assert_close(new[:, j], w.mean(1) * 3 / 5)
    torch.testing.assert_close(adapt_input_weight(w, 5, (0, 1, 2), alpha=0.)[:, 3:],
                               torch.zeros(8, 2, 3, 3))
    with pytest.raises(ValueError, match='rgb_bands=.*names 2 input channels.*has 3'):
        adapt_input_weight(w, 5, (0, 1))
    with pytest.raises(ValueError, match='distinct 0-based channel indices of the 5-band'):
        adapt_input_weight(w, 5, (0, 1, 5))


def _randomized(model):
    """Non-default values everywhere (BN statistics too), so a skipped key would show."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for t in list(model.parameters()) + [b for b in model.buffers() if b.is_floating_point()]:
            t.copy_(torch.rand(t.shape, generator=g) * 0.2 + 0.9 if t.ndim == 1
                    else torch.randn(t.shape, generator=g) * 0.05)
    return model


@pytest.mark.parametrize('name', BACKBONES)
def test_rgb_checkpoint_into_n_band_model_keeps_rgb_output(name, tmp_path):
    """The acceptance test: 6-band model from an RGB checkpoint by the documented init config; an
    input whose RGB bands hold the image and whose extra bands are 0 gives the RGB output."""
    rgb = _randomized(build(name))
    ckpt = tmp_path / 'rgb.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in rgb.state_dict().items()}}, ckpt)
    model = MODELS.build(dict(
        type='ImageClassifier',
        init_cfg=dict(type='AdaptInputBands', rgb_bands=(4, 0, 2)),
        backbone=dict(BACKBONES[name], in_channels=6, init_cfg=dict(
            type='Pretrained', checkpoint=str(ckpt), prefix='backbone.'))))
    model.init_weights()
    model.eval()
    # float64: a 6-band conv sums in another order than a 3-band one; in float32 that alone
    # differs by ~1e-4 after 18 layers, in float64 by ~1e-13
    model.double()
    rgb.double()
    x = torch.randn(2, 3, 64, 64, dtype=torch.float64)
    x6 = torch.zeros(2, 6, 64, 64, dtype=torch.float64)
    x6[:, [4, 0, 2]] = x
    with torch.no_grad():
        torch.testing.assert_close(model.backbone(x6)[-1], rgb(x)[-1], rtol=1e-9, atol=1e-9)


def test_adapter_leaves_matching_checkpoints_alone(tmp_path):
    src = _randomized(build('resnet', in_channels=6))
    dst = build('resnet', in_channels=6)
    assert register_band_adapter(dst, rgb_bands=(0, 1, 2)) == len(
        [m for m in dst.modules() if isinstance(m, torch.nn.Conv2d)])
    dst.load_state_dict(src.state_dict())
    for k, v in src.state_dict().items():
        assert torch.equal(dst.state_dict()[k], v), k


def test_adapter_with_mmseg_segmentor_config(tmp_path):
    """The route of configs/multispectral: mmseg EncoderDecoder + mmpretrain ResNet."""
    from mmseg.registry import MODELS as SEG_MODELS
    init_default_scope('mmseg')
    rgb = _randomized(build('resnet'))
    ckpt = tmp_path / 'rgb.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in rgb.state_dict().items()}}, ckpt)
    seg = SEG_MODELS.build(dict(
        type='EncoderDecoder', init_cfg=dict(type='AdaptInputBands', rgb_bands=(2, 1, 0)),
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[0.] * 6, std=[1.] * 6),
        backbone=dict(type='mmpretrain.ResNet', depth=18, in_channels=6, out_indices=(3, ),
                      init_cfg=dict(type='Pretrained', checkpoint=str(ckpt), prefix='backbone.')),
        decode_head=dict(type='FCNHead', in_channels=512, channels=8, num_convs=1,
                         num_classes=3)))
    seg.init_weights()
    torch.testing.assert_close(seg.backbone.conv1.weight[:, [2, 1, 0]], rgb.conv1.weight)
    torch.testing.assert_close(seg.backbone.layer4[1].bn2.weight, rgb.layer4[1].bn2.weight)


@pytest.mark.parametrize('scope,cfg', [
    ('mmpretrain', dict(type='NBandSelfSupDataPreprocessor', to_rgb=False)),
    ('mmdet', dict(type='NBandDetDataPreprocessor', bgr_to_rgb=False)),
])
def test_n_band_data_preprocessors(scope, cfg):
    init_default_scope(scope)
    from mmengine.registry import MODELS as ROOT
    mean, std = [10., 20., 30., 40., 50.], [1., 2., 4., 5., 10.]
    pre = ROOT.build(dict(cfg, mean=mean, std=std))
    x = torch.arange(5.).view(5, 1, 1).expand(5, 4, 4) * 10 + 10
    if scope == 'mmpretrain':
        out = pre(dict(inputs=[x[None]], data_samples=None), False)['inputs'][0][0]
    else:
        out = pre(dict(inputs=[x], data_samples=None), False)['inputs'][0]
    expected = (x - torch.tensor(mean).view(5, 1, 1)) / torch.tensor(std).view(5, 1, 1)
    torch.testing.assert_close(out, expected)
    with pytest.raises(ValueError, match='reorders 3 bands, but mean/std have 5'):
        ROOT.build(dict(cfg, mean=mean, std=std, **{list(cfg)[1]: True}))
