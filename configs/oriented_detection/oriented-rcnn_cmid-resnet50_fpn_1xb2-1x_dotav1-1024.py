# Oriented R-CNN R50-FPN 1x on DOTA v1.0 (1024 split) from a CMID ResNet-50 (paper: 76.63 mAP).
_base_ = [
    './_base_/oriented-rcnn_r50_fpn.py', './_base_/dotav1-1024.py', './_base_/schedule_1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
cmid_checkpoint = 'work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')))
