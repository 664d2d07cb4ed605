# Baseline: the CMID ResNet-50 UperNet config with MoCo v3 ImageNet-1k 800e weights
# (mmpretrain zoo).
_base_ = './upernet_cmid-resnet50_4xb4-80k_potsdam-512x512.py'

zoo_checkpoint = 'https://download.openmmlab.com/mmselfsup/1.x/mocov3/mocov3_resnet50_8xb512-amp-coslr-800e_in1k/mocov3_resnet50_8xb512-amp-coslr-800e_in1k_20220927-e043f51a.pth'  # noqa: E501
model = dict(backbone=dict(init_cfg=dict(checkpoint=zoo_checkpoint)))
