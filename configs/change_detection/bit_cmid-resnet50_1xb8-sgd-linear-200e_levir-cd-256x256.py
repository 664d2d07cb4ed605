# BIT + CMID ResNet-50 on LEVIR-CD (256x256 training crops and test windows).
_base_ = [
    '../_base_/models/bit_cmid-resnet50.py', '../_base_/datasets/cd_levir-cd.py',
    '../_base_/schedules/cd_sgd-linear-200e.py', '../_base_/runtimes/cd_default_runtime.py'
]
model = dict(test_cfg=dict(mode='slide', crop_size=(256, 256), stride=(256, 256)))
