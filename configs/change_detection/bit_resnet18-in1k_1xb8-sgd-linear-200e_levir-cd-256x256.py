# BIT_S4_dd8 as published (ImageNet ResNet-18) on LEVIR-CD; 1024x1024 test images are inferred in
# 256x256 windows, the size it is trained on.
_base_ = [
    '../_base_/models/bit_resnet18.py', '../_base_/datasets/cd_levir-cd.py',
    '../_base_/schedules/cd_sgd-linear-200e.py', '../_base_/runtimes/cd_default_runtime.py'
]
model = dict(test_cfg=dict(mode='slide', crop_size=(256, 256), stride=(256, 256)))
