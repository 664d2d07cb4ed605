"""'auto' widths of CMID's necks / decoder and of AutoWidthEncoderDecoder's neck / heads."""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS
from mmseg.registry import MODELS as SEG_MODELS

from cmid_mm.models.utils.auto_width import probe_outputs

DEMO = 'configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py'


def demo_cfg(auto):
    cfg = Config.fromfile(DEMO).model
    cfg.global_head.queue_len = 16
    if auto:
        cfg.global_neck.in_channels = cfg.local_neck.in_channels = 'auto'
        cfg.decoder.update(in_channels='auto', encoder_stride='auto', out_channels='auto')
        cfg.local_neck.with_bn = 'auto'
    else:
        cfg.global_neck.in_channels = cfg.local_neck.in_channels = cfg.decoder.in_channels = 512
        cfg.decoder.update(encoder_stride=32, out_channels=3)
        cfg.local_neck.with_bn = True
    return cfg


def test_auto_widths_build_the_same_model_as_the_numbers():
    """Same parameters, same initial values: the probe draws no random number and leaves the
    BN statistics and the training mode alone."""
    models = []
    for auto in (False, True):
        torch.manual_seed(0)
        models.append(MODELS.build(demo_cfg(auto)))
        models[-1].init_weights()  # sets the (torch.empty) prototypes
    explicit, auto = (m.state_dict() for m in models)
    assert explicit.keys() == auto.keys()
    # the teacher is a copy of the student at the first EMA update (its prototypes, copied
    # from torch.empty at construction, are not compared)
    assert [k for k in explicit if not k.startswith('teacher.')
            and not torch.equal(explicit[k], auto[k])] == []
    assert models[1].backbone.training
    assert int(models[1].backbone.bn1.num_batches_tracked) == 0


def test_auto_decoder_predicts_every_input_band():
    cfg = demo_cfg(auto=True)
    cfg.backbone.in_channels = 6
    model = MODELS.build(cfg)
    assert model.decoder.decoder[0].out_channels == 32**2 * 6


def test_auto_where_no_width_is_known_is_a_clear_error():
    cfg = demo_cfg(auto=True)
    cfg.global_neck.hid_channels = 'auto'
    with pytest.raises(ValueError, match=r"model.global_neck.hid_channels='auto': only "
                                         r"\['in_channels'\] can be 'auto'"):
        MODELS.build(cfg)


@pytest.mark.parametrize('backbone,expected', [
    (dict(type='CMIDResNet', depth=18, out_indices=(0, 1, 2, 3)),
     [(64, 4), (128, 8), (256, 16), (512, 32)]),
    # window 7 without pad_small_map: probed at 224 px, where the last stage holds one window
    (dict(type='CMIDSwinTransformer', arch='tiny', out_indices=(3, )), [(768, 32)]),
    (dict(type='CMIDVisionTransformer', img_size=64, patch_size=8,
          arch=dict(embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=64)), [(32, 8)]),
])
def test_probe_reads_channels_and_stride_of_every_output(backbone, expected):
    assert probe_outputs(MODELS.build(backbone)) == expected


def test_segmentor_fills_neck_then_heads_from_the_neck_outputs():
    """A ViT-style model: one backbone map, a MultiLevelNeck to 4 maps of its own width."""
    init_default_scope('mmseg')
    cfg = Config.fromfile('configs/_base_/models/upernet_auto-width.py').model
    cfg.backbone = dict(type='mmpretrain.VisionTransformer', img_size=64, patch_size=16,
                        arch=dict(embed_dims=32, num_layers=4, num_heads=2,
                                  feedforward_channels=64),
                        out_indices=(0, 1, 2, 3), out_type='featmap')
    cfg.neck = dict(type='MultiLevelNeck', in_channels='auto', out_channels=48,
                    scales=[4, 2, 1, 0.5])
    cfg.data_preprocessor.size = (64, 64)
    model = SEG_MODELS.build(cfg)
    assert model.neck.in_channels == [32] * 4
    assert model.decode_head.in_channels == [48] * 4
    assert model.auxiliary_head.in_channels == 48
    assert model(torch.randn(2, 3, 64, 64), mode='tensor').shape[-2:] == (16, 16)


def test_segmentor_with_numbers_is_mmseg_encoder_decoder():
    init_default_scope('mmseg')
    cfg = Config.fromfile('configs/_base_/models/upernet_auto-width.py').model
    cfg.backbone.depth = 18
    cfg.decode_head.in_channels = [64, 128, 256, 512]
    cfg.auxiliary_head.in_channels = 256
    torch.manual_seed(0)
    auto_cfg = Config.fromfile('configs/_base_/models/upernet_auto-width.py').model
    auto_cfg.backbone.depth = 18
    explicit = SEG_MODELS.build(cfg).state_dict()
    torch.manual_seed(0)
    auto = SEG_MODELS.build(auto_cfg).state_dict()
    assert explicit.keys() == auto.keys()
    assert [k for k in explicit if not torch.equal(explicit[k], auto[k])] == []
