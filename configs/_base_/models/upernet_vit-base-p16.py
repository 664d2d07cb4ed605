# UperNet (mmseg) on an mmpretrain ViT-B/16: four blocks' token maps (stride 16) are rescaled to
# strides 4/8/16/32 by mmseg's MultiLevelNeck. Keys as a CMID ViT-B checkpoint's `backbone.*`
# (the 224-px position embedding is resized on load). BN instead of SyncBN (single process / CPU).
_base_ = 'mmseg::_base_/models/upernet_vit-b16_ln_mln.py'

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(_delete_=True, type='mmpretrain.VisionTransformer', arch='base', img_size=512,
                  patch_size=16, out_indices=(2, 5, 8, 11), out_type='featmap',
                  drop_path_rate=0.1, final_norm=True),
    decode_head=dict(norm_cfg=norm_cfg),
    auxiliary_head=dict(norm_cfg=norm_cfg))
