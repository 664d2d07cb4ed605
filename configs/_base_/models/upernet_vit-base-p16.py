# UperNet (mmseg) on an mmpretrain ViT-B/16: four blocks' token maps (stride 16) are rescaled to
# strides 4/8/16/32 by mmseg's MultiLevelNeck. Keys as a CMID ViT-B checkpoint's `backbone.*`
# (the 224-px position embedding is resized on load). BN instead of SyncBN (single process / CPU).
# Initialised from a CMID ViT-B/16 training checkpoint.
_base_ = 'mmseg::_base_/models/upernet_vit-b16_ln_mln.py'

cmid_checkpoint = 'work_dirs/cmid_vit-base-p16_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(_delete_=True, type='mmpretrain.VisionTransformer', arch='base', img_size=512,
                  patch_size=16, out_indices=(2, 5, 8, 11), out_type='featmap',
                  drop_path_rate=0.1, final_norm=True,
                  init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    decode_head=dict(norm_cfg=norm_cfg),
    auxiliary_head=dict(norm_cfg=norm_cfg))
