# Baseline for cmid_resnet50_1xb64-adan-coslr-200e_ucmerced-8-2.py:
# only the backbone initialisation differs.
# ImageNet-1k supervised (mmpretrain zoo resnet50_8xb32_in1k).
_base_ = './cmid_resnet50_1xb64-adan-coslr-200e_ucmerced-8-2.py'

model = dict(backbone=dict(init_cfg=dict(
    checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth')))  # noqa: E501
