# BIT + CMID Swin-B on LEVIR-CD (256x256 training crops and test windows).
_base_ = [
    '../_base_/models/bit_cmid-swin-base.py', '../_base_/datasets/cd_levir-cd.py',
    '../_base_/schedules/cd_adamw-linear-200e.py', '../_base_/runtimes/cd_default_runtime.py'
]
model = dict(test_cfg=dict(mode='slide', crop_size=(256, 256), stride=(256, 256)))
# the official CMID change-detection code (ChangeDetection/train.py) trains Swin-B with AdamW
# lr 6e-5, weight decay 0.01
optim_wrapper = dict(optimizer=dict(lr=6e-5))
