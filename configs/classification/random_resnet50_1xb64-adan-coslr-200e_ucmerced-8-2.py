# Baseline for cmid_resnet50_1xb64-adan-coslr-200e_ucmerced-8-2.py:
# only the backbone initialisation differs.
# Random initialisation (mmpretrain's default ResNet init).
_base_ = './cmid_resnet50_1xb64-adan-coslr-200e_ucmerced-8-2.py'

model = dict(backbone=dict(init_cfg=[dict(type='Kaiming', layer=['Conv2d']),
                             dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])]))
