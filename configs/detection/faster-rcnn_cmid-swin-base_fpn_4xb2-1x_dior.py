# Faster R-CNN + FPN on DIOR from a CMID Swin-B; AdamW recipe of mmdet's Swin configs.
_base_ = [
    '../_base_/models/faster-rcnn_swin-base_fpn.py',
    '../_base_/datasets/dior_800.py',
    '../_base_/schedules/det_adamw-1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
model = dict(roi_head=dict(bbox_head=dict(num_classes=20)))
