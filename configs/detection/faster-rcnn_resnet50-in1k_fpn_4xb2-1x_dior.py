# Baseline: the CMID ResNet-50 Faster R-CNN config with ImageNet-1k supervised weights
# (mmpretrain zoo).
_base_ = './faster-rcnn_cmid-resnet50_fpn_4xb2-1x_dior.py'

zoo_checkpoint = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth'  # noqa: E501
model = dict(backbone=dict(init_cfg=dict(checkpoint=zoo_checkpoint)))
