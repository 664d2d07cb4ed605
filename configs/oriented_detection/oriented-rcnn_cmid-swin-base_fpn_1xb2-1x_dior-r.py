# Oriented R-CNN 1x on DIOR-R from a CMID Swin-B; AdamW recipe of mmdet's Swin configs, the
# paper's schedule otherwise.
_base_ = [
    '../_base_/models/oriented-rcnn_swin-base_fpn.py',
    '../_base_/datasets/dior-r_800.py',
    '../_base_/schedules/oriented-rcnn_adamw-1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
model = dict(roi_head=dict(bbox_head=dict(num_classes=20)))
