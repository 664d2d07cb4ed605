# BIT + CMID ResNet-50 on LEVIR-CD (256x256 training crops and test windows).
_base_ = [
    '../_base_/models/bit_cmid-resnet50.py', '../_base_/datasets/cd_levir-cd.py',
    '../_base_/schedules/cd_sgd-linear-200e.py', '../_base_/runtimes/cd_default_runtime.py'
]
model = dict(test_cfg=dict(mode='slide', crop_size=(256, 256), stride=(256, 256)))
# the official CMID change-detection code (ChangeDetection/train.py) trains ResNet-50 with SGD
# lr 0.002 (momentum 0.99, weight decay 5e-4, as BIT), not BIT's 0.01
optim_wrapper = dict(optimizer=dict(lr=0.002))
