# BIT + CMID Swin-B on CDD (CMID paper: F1 97.11).
_base_ = [
    '../_base_/models/bit_cmid-swin-base.py', '../_base_/datasets/cd_cdd.py',
    '../_base_/schedules/cd_adamw-linear-200e.py', '../_base_/runtimes/cd_default_runtime.py'
]
# the official CMID change-detection code (ChangeDetection/train.py) trains Swin-B with AdamW
# lr 6e-5, weight decay 0.01
optim_wrapper = dict(optimizer=dict(lr=6e-5))
