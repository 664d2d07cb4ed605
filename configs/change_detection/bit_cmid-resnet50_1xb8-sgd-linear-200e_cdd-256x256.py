# BIT + CMID ResNet-50 on CDD (CMID paper: F1 96.95).
_base_ = [
    '../_base_/models/bit_cmid-resnet50.py', '../_base_/datasets/cd_cdd.py',
    '../_base_/schedules/cd_sgd-linear-200e.py', '../_base_/runtimes/cd_default_runtime.py'
]
