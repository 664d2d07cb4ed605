"""The demo CMID config shrunk to a ResNet-18 with 8 base channels and small heads."""
from mmengine.config import Config

DEMO = 'configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py'


def tiny_demo_config(**overrides) -> Config:
    """The demo config with tiny widths, then ``overrides`` (``merge_from_dict`` keys)."""
    cfg = Config.fromfile(DEMO)
    cfg.merge_from_dict({
        'model.backbone.stem_channels': 8, 'model.backbone.base_channels': 8,
        'model.global_neck.in_channels': 64, 'model.global_neck.hid_channels': 32,
        'model.global_neck.out_channels': 16,
        'model.global_head.queue_len': 16, 'model.global_head.feat_dim': 16,
        'model.local_neck.in_channels': 64, 'model.local_neck.hid_channels': 32,
        'model.local_neck.bottleneck_channels': 16, 'model.local_neck.out_channels': 32,
        'model.local_head.out_channels': 32, 'model.local_head.num_pairs': 2,
        'model.decoder.in_channels': 64, **overrides})
    return cfg
