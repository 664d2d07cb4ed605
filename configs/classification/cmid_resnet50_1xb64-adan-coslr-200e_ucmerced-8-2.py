# Fine-tune a CMID ResNet-50 on UC Merced (8:2 train:test split).
_base_ = [
    '../_base_/models/cls_cmid-resnet50.py',
    '../_base_/datasets/ucmerced_bs64_224.py',
    '../_base_/schedules/cls_adan-coslr-200e.py',
    '../_base_/runtimes/cls_default_runtime.py',
]

model = dict(head=dict(num_classes=21))
