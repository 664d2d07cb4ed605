# Oriented R-CNN R50-FPN 1x on DIOR-R from a CMID ResNet-50.
_base_ = [
    '../_base_/models/oriented-rcnn_resnet50_fpn.py',
    '../_base_/datasets/dior-r_800.py',
    '../_base_/schedules/oriented-rcnn_sgd-1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
model = dict(roi_head=dict(bbox_head=dict(num_classes=20)))
