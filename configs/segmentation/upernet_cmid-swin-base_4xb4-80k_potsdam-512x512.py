# UperNet on ISPRS Potsdam (mmseg's dataset config + size check, 512x512 crops) from a CMID Swin-B; AdamW recipe
# of mmseg's Swin configs.
_base_ = [
    '../_base_/models/upernet_swin-base.py', '../_base_/datasets/potsdam_6class.py',
    '../_base_/runtimes/seg_default_runtime.py', 'mmseg::_base_/schedules/schedule_80k.py'
]
cmid_checkpoint = 'work_dirs/cmid_swin-base_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    decode_head=dict(num_classes=6),
    auxiliary_head=dict(num_classes=6))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=6e-5, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        custom_keys=dict(
            absolute_pos_embed=dict(decay_mult=0.),
            relative_position_bias_table=dict(decay_mult=0.),
            norm=dict(decay_mult=0.))))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=80000, by_epoch=False),
]
