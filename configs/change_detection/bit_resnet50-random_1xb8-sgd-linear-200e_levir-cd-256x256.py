# Same as the CMID config, backbone randomly initialised (mmpretrain ResNet's default init).
_base_ = './bit_cmid-resnet50_1xb8-sgd-linear-200e_levir-cd-256x256.py'

model = dict(backbone=dict(init_cfg=[
    dict(type='Kaiming', layer=['Conv2d']),
    dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
]))
