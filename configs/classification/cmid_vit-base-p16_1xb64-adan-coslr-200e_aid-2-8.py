# Fine-tune a CMID ViT-B/16 on AID (2:8 train:test split).
_base_ = [
    '../_base_/models/cls_cmid-vit-base-p16.py',
    '../_base_/datasets/aid_bs64_224.py',
    '../_base_/schedules/cls_adan-coslr-200e.py',
    '../_base_/runtimes/cls_default_runtime.py',
]

model = dict(head=dict(num_classes=30))
