# Demo baseline: the CMID land-cover demo config with a randomly initialised ResNet-18.
_base_ = './upernet_cmid-resnet18_1xb8-150i_landsat-landcover-demo.py'

model = dict(
    backbone=dict(init_cfg=[
        dict(type='Kaiming', layer=['Conv2d']),
        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
    ]))
