# Baseline for cmid_resnet50_1xb64-adan-coslr-200e_ucmerced-8-2.py:
# only the backbone initialisation differs.
# MoCo v3 on ImageNet-1k, 300 epochs (mmpretrain zoo mocov3_resnet50_8xb512-amp-coslr-300e_in1k).
_base_ = './cmid_resnet50_1xb64-adan-coslr-200e_ucmerced-8-2.py'

model = dict(backbone=dict(init_cfg=dict(
    checkpoint='https://download.openmmlab.com/mmselfsup/1.x/mocov3/mocov3_resnet50_8xb512-amp-coslr-300e_in1k/mocov3_resnet50_8xb512-amp-coslr-300e_in1k_20220927-1e4f3304.pth')))  # noqa: E501
