# Oriented R-CNN R50-FPN 1x on DOTA v1.0 (1024 split) from a CMID ResNet-50 (paper: 76.63 mAP).
_base_ = [
    '../_base_/models/oriented-rcnn_resnet50_fpn.py',
    '../_base_/datasets/dotav1_1024.py',
    '../_base_/schedules/oriented-rcnn_sgd-1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
