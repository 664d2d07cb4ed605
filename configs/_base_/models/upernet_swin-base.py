# UperNet (mmseg) on an mmpretrain Swin-B (window 7), keys as a CMID Swin-B checkpoint's
# `backbone.*`; norm0-2 (the extra pyramid levels' output norms) are new, as for any
# classification-pretrained Swin. BN instead of SyncBN (single process / CPU). Initialised from a
# CMID Swin-B training checkpoint; `swin_paramwise_cfg` is what the leaves' AdamW spares from weight
# decay (position tables and norms, as mmseg's Swin recipes).
_base_ = 'mmseg::_base_/models/upernet_swin.py'

cmid_checkpoint = 'work_dirs/cmid_swin-base_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(_delete_=True, type='mmpretrain.SwinTransformer', arch='base', img_size=512,
                  window_size=7, drop_path_rate=0.3, out_indices=(0, 1, 2, 3),
                  pad_small_map=True,
                  init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    decode_head=dict(in_channels=[128, 256, 512, 1024], norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=512, norm_cfg=norm_cfg))
swin_paramwise_cfg = dict(
    custom_keys=dict(
        absolute_pos_embed=dict(decay_mult=0.),
        relative_position_bias_table=dict(decay_mult=0.),
        norm=dict(decay_mult=0.)))
