# The CMID ResNet-50 Faster R-CNN config with a CMID Swin-B backbone; AdamW recipe of mmdet's Swin
# configs.
_base_ = './faster-rcnn_cmid-resnet50_fpn_4xb2-1x_dior.py'

cmid_checkpoint = 'work_dirs/cmid_swin-base_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='base',
        img_size=1024,
        window_size=7,
        drop_path_rate=0.2,
        out_indices=(0, 1, 2, 3),
        pad_small_map=True,
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    neck=dict(in_channels=[128, 256, 512, 1024]))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        custom_keys=dict(
            absolute_pos_embed=dict(decay_mult=0.),
            relative_position_bias_table=dict(decay_mult=0.),
            norm=dict(decay_mult=0.))))
