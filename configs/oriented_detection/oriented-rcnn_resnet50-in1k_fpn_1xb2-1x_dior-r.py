# Baseline: ImageNet-1k supervised ResNet-50 (mmpretrain zoo).
_base_ = './oriented-rcnn_cmid-resnet50_fpn_1xb2-1x_dior-r.py'

zoo_checkpoint = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth'  # noqa: E501
model = dict(backbone=dict(init_cfg=dict(checkpoint=zoo_checkpoint, prefix='backbone.')))
