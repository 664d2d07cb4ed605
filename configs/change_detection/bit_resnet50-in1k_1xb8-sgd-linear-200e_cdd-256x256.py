# Same as the CMID config, backbone from mmpretrain's ImageNet-1k supervised ResNet-50 (and the
# ImageNet normalisation it was trained with).
_base_ = './bit_cmid-resnet50_1xb8-sgd-linear-200e_cdd-256x256.py'

model = dict(
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]),
    backbone=dict(init_cfg=dict(
        checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
        'resnet50_8xb32_in1k_20210831-ea4938fc.pth')))
