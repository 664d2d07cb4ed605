# Oriented R-CNN 1x on DOTA v1.0 from a CMID Swin-B (paper: 77.36 mAP); AdamW recipe of mmdet's
# Swin configs, the paper's schedule otherwise.
_base_ = [
    '../_base_/models/oriented-rcnn_swin-base_fpn.py',
    '../_base_/datasets/dotav1_1024.py',
    '../_base_/schedules/oriented-rcnn_adamw-1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
