# Oriented R-CNN R50-FPN 1x on DIOR-R from a CMID ResNet-50.
_base_ = [
    './_base_/oriented-rcnn_r50_fpn.py', './_base_/dior-r.py', './_base_/schedule_1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
cmid_checkpoint = 'work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    roi_head=dict(bbox_head=dict(num_classes=20)))
