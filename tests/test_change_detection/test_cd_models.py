"""Siamese encoder-decoder: one shared backbone, fusion necks, BIT / FCN heads, preprocessor."""
import pytest
import torch
from mmengine.config import ConfigDict
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

BACKBONE = dict(type='mmpretrain.ResNet', depth=18, num_stages=3, strides=(1, 2, 1),
                dilations=(1, 1, 2), out_indices=(2, ), norm_cfg=dict(type='BN'))
BIT_HEAD = dict(type='BITHead', in_channels=512, channels=32, num_classes=2, dropout_ratio=0.,
                norm_cfg=dict(type='BN'))
FCN_HEAD = dict(type='FCNHead', in_channels=256, channels=32, num_convs=1, concat_input=False,
                num_classes=2, norm_cfg=dict(type='BN'))
PREPROCESSOR = dict(type='BitemporalDataPreProcessor', mean=[100., 110., 120.],
                    std=[50., 60., 70.], bgr_to_rgb=True)


def build(policy='concat', head=BIT_HEAD):
    torch.manual_seed(0)
    model = MODELS.build(dict(type='SiameseEncoderDecoder', backbone=BACKBONE,
                              neck=dict(type='BitemporalFusionNeck', policy=policy),
                              decode_head=head, test_cfg=ConfigDict(mode='whole')))
    model.init_weights()
    return model.eval()


def test_branches_share_one_backbone():
    model = build()
    single = MODELS.build(BACKBONE)
    backbone_params = [n for n, _ in model.named_parameters() if n.startswith('backbone.')]
    assert len(backbone_params) == len(list(single.parameters()))
    assert not [n for n, _ in model.named_parameters()
                if not n.startswith(('backbone.', 'decode_head.'))]
    # both dates are encoded by that one parameter set: each date's half of the fused features
    # is exactly the backbone applied to that date alone
    img_a, img_b = torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        fused = model.extract_feat(torch.cat([img_a, img_b], dim=1))[0]
        torch.testing.assert_close(fused[:, :256], model.backbone(img_a)[0])
        torch.testing.assert_close(fused[:, 256:], model.backbone(img_b)[0])
    # and training on date B alone moves the same weights date A uses
    model.train()
    inputs = torch.cat([torch.zeros_like(img_a), img_b], dim=1)
    model.extract_feat(inputs)[0][:, 256:].sum().backward()
    assert model.backbone.conv1.weight.grad.abs().sum() > 0


def test_abs_diff_fusion_is_symmetric_in_the_dates():
    model = build('abs_diff', FCN_HEAD)
    img_a, img_b = torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        ab = model(torch.cat([img_a, img_b], 1), mode='tensor')
        ba = model(torch.cat([img_b, img_a], 1), mode='tensor')
    assert ab.shape == (2, 2, 8, 8)
    torch.testing.assert_close(ab, ba)


@pytest.mark.parametrize('policy, expected', [('concat', 'ordered'), ('diff', 'negated')])
def test_other_fusions(policy, expected):
    neck = MODELS.build(dict(type='BitemporalFusionNeck', policy=policy))
    a, b = [torch.randn(1, 4, 2, 2)], [torch.randn(1, 4, 2, 2)]
    if expected == 'ordered':
        torch.testing.assert_close(neck(a, b)[0], torch.cat([a[0], b[0]], 1))
    else:
        torch.testing.assert_close(neck(a, b)[0], -neck(b, a)[0])


def test_unknown_fusion_policy():
    with pytest.raises(ValueError, match="unknown fusion policy 'sum'"):
        MODELS.build(dict(type='BitemporalFusionNeck', policy='sum'))


def test_bit_model_predicts_full_resolution_change_maps():
    model = build()
    samples = [SegDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(64, 64)))
               for _ in range(2)]
    with torch.no_grad():
        logits = model(torch.randn(2, 6, 64, 64), mode='tensor')
        preds = model.predict(torch.randn(2, 6, 64, 64), samples)
    assert logits.shape == (2, 2, 64, 64)  # stride 8 -> x2 before the tokenizer -> x4 after
    assert preds[0].pred_sem_seg.data.shape == (1, 64, 64)
    assert set(preds[0].pred_sem_seg.data.unique().tolist()) <= {0, 1}
    # identical dates (and no position embedding telling the dates' tokens apart): the decoded
    # features cancel in |A - B|, so every pixel gets the same logits
    same = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        model.decode_head.pos_embed.zero_()
        flat = model(torch.cat([same, same], 1), mode='tensor')
    torch.testing.assert_close(flat, flat[..., :1, :1].expand_as(flat))


def test_slide_inference_is_inherited():
    model = build('abs_diff', FCN_HEAD)
    model.test_cfg = ConfigDict(mode='slide', crop_size=(32, 32), stride=(32, 32))
    inputs = torch.randn(1, 6, 64, 64)
    meta = [dict(img_shape=(64, 64), ori_shape=(64, 64))]
    with torch.no_grad():
        slide = model.inference(inputs, meta)
        tiles = model.encode_decode(inputs[..., :32, 32:], [dict(img_shape=(32, 32))])
    assert slide.shape == (1, 2, 64, 64)
    torch.testing.assert_close(slide[..., :32, 32:], tiles)


def test_odd_channel_input_is_rejected():
    with pytest.raises(ValueError, match=r'even channel count .* shape \(1, 5, 32, 32\)'):
        build().extract_feat(torch.randn(1, 5, 32, 32))


def test_preprocessor_normalises_each_date_and_stacks():
    pre = MODELS.build(PREPROCESSOR)
    bgr_a = torch.tensor([10., 20., 30.]).view(3, 1, 1).expand(3, 4, 4)
    bgr_b = torch.tensor([40., 50., 60.]).view(3, 1, 1).expand(3, 4, 4)
    out = pre(dict(inputs=[torch.cat([bgr_a, bgr_b]).to(torch.uint8)] * 2), training=False)
    assert out['inputs'].shape == (2, 6, 4, 4)
    expected = (torch.tensor([30., 20., 10., 60., 50., 40.]) -
                torch.tensor([100., 110., 120.] * 2)) / torch.tensor([50., 60., 70.] * 2)
    torch.testing.assert_close(out['inputs'][0, :, 0, 0], expected)


def test_preprocessor_rejects_a_single_date():
    pre = MODELS.build(PREPROCESSOR)
    sample = SegDataSample(metainfo=dict(img_path='scene/A/x.png'))
    with pytest.raises(ValueError, match=r'2x3 channels .* got 3 \(scene/A/x.png\)'):
        pre(dict(inputs=[torch.zeros(3, 4, 4)], data_samples=[sample]))
