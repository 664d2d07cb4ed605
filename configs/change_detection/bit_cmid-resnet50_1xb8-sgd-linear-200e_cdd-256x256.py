# BIT + CMID ResNet-50 on CDD (CMID paper: F1 96.95).
_base_ = [
    '../_base_/models/bit_cmid-resnet50.py', '../_base_/datasets/cd_cdd.py',
    '../_base_/schedules/cd_sgd-linear-200e.py', '../_base_/runtimes/cd_default_runtime.py'
]
# the official CMID change-detection code (ChangeDetection/train.py) trains ResNet-50 with SGD
# lr 0.002 (momentum 0.99, weight decay 5e-4, as BIT), not BIT's 0.01
optim_wrapper = dict(optimizer=dict(lr=0.002))
