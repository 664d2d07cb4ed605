# Baseline: the CMID ResNet-50 paper-protocol config with a randomly initialised backbone.
_base_ = './upernet_cmid-resnet50_1xb8-sgd-coslr-50e_potsdam-512x512.py'

model = dict(
    backbone=dict(init_cfg=[
        dict(type='Kaiming', layer=['Conv2d']),
        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
    ]))
