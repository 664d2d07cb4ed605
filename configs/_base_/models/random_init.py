# A backbone's random initialisation (mmpretrain ResNet's default: Kaiming convolutions, unit
# norms), for the baselines without pretraining: `backbone=dict(init_cfg=_base_.random_init)`.
random_init = [
    dict(type='Kaiming', layer=['Conv2d']),
    dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
]
