# Baseline of the multispectral demo: the same 6-band segmentation from a randomly initialised
# backbone (mmpretrain ResNet's default init).
_base_ = './fpn_cmid-resnet18-6band_1xb8-150i_landsat7-landcover.py'

model = dict(
    init_cfg=None,
    backbone=dict(init_cfg=[
        dict(type='Kaiming', layer=['Conv2d']),
        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
    ]))
