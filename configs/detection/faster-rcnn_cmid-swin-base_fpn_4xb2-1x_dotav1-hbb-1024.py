# Faster R-CNN + FPN on DOTA v1.0 (horizontal boxes) from a CMID Swin-B; AdamW recipe of mmdet's
# Swin configs.
_base_ = [
    '../_base_/models/faster-rcnn_swin-base_fpn.py',
    '../_base_/datasets/dotav1-hbb_1024.py',
    '../_base_/schedules/det_adamw-1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
model = dict(
    roi_head=dict(bbox_head=dict(num_classes=15)),
    test_cfg=dict(rcnn=dict(max_per_img=1000)))  # DOTA patches are crowded (hundreds of vehicles)
