# Linear probe of a CMID ViT-B/16 on AID (2:8 train:test split).
_base_ = [
    '../_base_/models/cls_cmid-vit-base-p16_linear.py',
    '../_base_/datasets/aid_bs64_224-linear.py',
    '../_base_/schedules/cls_sgd-coslr-100e_linear.py',
    '../_base_/runtimes/cls_default_runtime.py',
]

model = dict(head=dict(num_classes=30))
