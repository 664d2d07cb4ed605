# Baseline for cmid_vit-base-p16_1xb64-adan-coslr-200e_ucmerced-8-2.py:
# only the backbone initialisation differs.
# Random initialisation (mmpretrain's default ViT init).
_base_ = './cmid_vit-base-p16_1xb64-adan-coslr-200e_ucmerced-8-2.py'

model = dict(backbone=dict(init_cfg=None))
