# UperNet (mmseg) on an mmpretrain Swin-B (window 7), keys as a CMID Swin-B checkpoint's
# `backbone.*`; norm0-2 (the extra pyramid levels' output norms) are new, as for any
# classification-pretrained Swin. BN instead of SyncBN (single process / CPU).
_base_ = 'mmseg::_base_/models/upernet_swin.py'

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(_delete_=True, type='mmpretrain.SwinTransformer', arch='base', img_size=512,
                  window_size=7, drop_path_rate=0.3, out_indices=(0, 1, 2, 3),
                  pad_small_map=True),
    decode_head=dict(in_channels=[128, 256, 512, 1024], norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=512, norm_cfg=norm_cfg))
