# Baseline: the CMID ResNet-50 UperNet config with a randomly initialised backbone.
_base_ = './upernet_cmid-resnet50_4xb4-80k_potsdam-512x512.py'

model = dict(
    backbone=dict(init_cfg=[
        dict(type='Kaiming', layer=['Conv2d']),
        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
    ]))
