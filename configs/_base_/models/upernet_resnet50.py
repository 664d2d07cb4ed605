# UperNet (mmseg) on an mmpretrain ResNet-50, whose keys are exactly a CMID checkpoint's
# `backbone.*` (mmseg's own ResNetV1c has a deep stem: other keys). BN instead of mmseg's SyncBN so
# that a single process (CPU) runs; multi-GPU runs may add `--cfg-options sync_bn=torch`.
_base_ = 'mmseg::_base_/models/upernet_r50.py'

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(_delete_=True, type='mmpretrain.ResNet', depth=50, out_indices=(0, 1, 2, 3),
                  norm_cfg=norm_cfg, norm_eval=False),
    decode_head=dict(norm_cfg=norm_cfg),
    auxiliary_head=dict(norm_cfg=norm_cfg))
