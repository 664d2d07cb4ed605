# BIT_S4_dd8 as published (ImageNet ResNet-18), the reference the CMID backbones are compared to.
_base_ = [
    '../_base_/models/bit_resnet18.py', '../_base_/datasets/cd_cdd.py',
    '../_base_/schedules/cd_sgd-linear-200e.py', '../_base_/runtimes/cd_default_runtime.py'
]
