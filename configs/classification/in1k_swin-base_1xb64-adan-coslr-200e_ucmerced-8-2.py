# Baseline for cmid_swin-base_1xb64-adan-coslr-200e_ucmerced-8-2.py:
# only the backbone initialisation differs.
# ImageNet-1k supervised (mmpretrain zoo swin-base_16xb64_in1k).
_base_ = './cmid_swin-base_1xb64-adan-coslr-200e_ucmerced-8-2.py'

model = dict(backbone=dict(init_cfg=dict(
    checkpoint='https://download.openmmlab.com/mmclassification/v0/swin-transformer/swin_base_224_b16x64_300e_imagenet_20210616_190742-93230b0d.pth')))  # noqa: E501
