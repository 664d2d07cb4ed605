# Baseline: the CMID ResNet-50 paper-protocol config with ImageNet-1k supervised weights
# (mmpretrain zoo).
_base_ = './upernet_cmid-resnet50_1xb8-sgd-coslr-50e_potsdam-512x512.py'

zoo_checkpoint = 'https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth'  # noqa: E501
model = dict(backbone=dict(init_cfg=dict(checkpoint=zoo_checkpoint)))
