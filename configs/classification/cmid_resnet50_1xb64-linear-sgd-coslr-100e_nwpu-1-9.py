# Linear probe of a CMID ResNet-50 on NWPU-RESISC45 (1:9 train:test split).
_base_ = [
    '../_base_/models/cls_cmid-resnet50_linear.py',
    '../_base_/datasets/nwpu_bs64_224-linear.py',
    '../_base_/schedules/cls_sgd-coslr-100e_linear.py',
    '../_base_/runtimes/cls_default_runtime.py',
]

model = dict(head=dict(num_classes=45))
