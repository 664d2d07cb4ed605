# Faster R-CNN + FPN on DIOR (20 classes, 800x800, horizontal boxes) from a CMID ResNet-50.
_base_ = [
    '../_base_/models/faster-rcnn_resnet50_fpn.py',
    '../_base_/datasets/dior_800.py',
    '../_base_/schedules/det_sgd-1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
model = dict(roi_head=dict(bbox_head=dict(num_classes=20)))
