# UperNet on ISPRS Potsdam (mmseg's dataset config + size check, 512x512 crops) from a CMID Swin-B;
# AdamW recipe of mmseg's Swin configs.
_base_ = [
    '../_base_/models/upernet_swin-base.py', '../_base_/datasets/potsdam_6class.py',
    '../_base_/runtimes/seg_default_runtime.py', '../_base_/schedules/seg_adamw-poly-80k.py'
]
model = dict(data_preprocessor=dict(size=_base_.crop_size),  # the dataset base's crops
             decode_head=dict(num_classes=6), auxiliary_head=dict(num_classes=6))
optim_wrapper = dict(paramwise_cfg=_base_.swin_paramwise_cfg)
