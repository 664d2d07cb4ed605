# Baseline for cmid_vit-base-p16_1xb64-adan-coslr-200e_ucmerced-8-2.py:
# only the backbone initialisation differs.
# ImageNet-1k supervised DeiT-B (mmpretrain zoo deit-base_16xb64_in1k; the ViT-B/16 weights
# layout).
_base_ = './cmid_vit-base-p16_1xb64-adan-coslr-200e_ucmerced-8-2.py'

model = dict(backbone=dict(init_cfg=dict(
    checkpoint='https://download.openmmlab.com/mmclassification/v0/deit/deit-base_pt-16xb64_in1k_20220216-db63c16c.pth')))  # noqa: E501
