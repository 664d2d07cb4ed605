# The CMID Swin-B swap of the detection configs: a Swin-B leaf is its ResNet-50 sibling with
#   cmid_checkpoint = _base_.swin_base_checkpoint
#   model = _base_.swin_base_detector       # Faster R-CNN or Oriented R-CNN, FPN widths follow
#   optim_wrapper = _base_.swin_base_adamw  # over the sibling's SGD wrapper (clipping kept)
# mmpretrain's Swin-B, window 7, 1024 px, all four stages (128-1024 channels into the FPN), and
# the AdamW of mmdet's Swin configs (lr 1e-4, weight decay 0.05, none on position tables and
# norms).
swin_base_checkpoint = 'work_dirs/cmid_swin-base_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
swin_base_detector = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='base',
        img_size=1024,
        window_size=7,
        drop_path_rate=0.2,
        out_indices=(0, 1, 2, 3),
        pad_small_map=True,
        init_cfg=dict(type='Pretrained', checkpoint=swin_base_checkpoint, prefix='backbone.')),
    neck=dict(in_channels=[128, 256, 512, 1024]))
swin_base_adamw = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        custom_keys=dict(
            absolute_pos_embed=dict(decay_mult=0.),
            relative_position_bias_table=dict(decay_mult=0.),
            norm=dict(decay_mult=0.))))
