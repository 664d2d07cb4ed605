# Baseline: the CMID Swin-B UperNet config with ImageNet-1k supervised weights (mmpretrain zoo).
_base_ = './upernet_cmid-swin-base_4xb4-80k_potsdam-512x512.py'

zoo_checkpoint = 'https://download.openmmlab.com/mmclassification/v0/swin-transformer/swin_base_224_b16x64_300e_imagenet_20210616_190742-93230b0d.pth'  # noqa: E501
model = dict(backbone=dict(init_cfg=dict(checkpoint=zoo_checkpoint)))
