# Same as the CMID config, backbone from mmpretrain's ImageNet-1k supervised Swin-B (window 7; and
# the ImageNet normalisation it was trained with).
_base_ = './bit_cmid-swin-base_1xb8-adamw-linear-200e_cdd-256x256.py'

model = dict(
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]),
    backbone=dict(init_cfg=dict(
        checkpoint='https://download.openmmlab.com/mmclassification/v0/swin-transformer/'
        'swin_base_224_b16x64_300e_imagenet_20210616_190742-93230b0d.pth')))
