# Fine-tune a CMID Swin-B on NWPU-RESISC45 (1:9 train:test split).
_base_ = [
    '../_base_/models/cls_cmid-swin-base.py',
    '../_base_/datasets/nwpu_bs64_224.py',
    '../_base_/schedules/cls_adan-coslr-200e.py',
    '../_base_/runtimes/cls_default_runtime.py',
]

model = dict(head=dict(num_classes=45))
