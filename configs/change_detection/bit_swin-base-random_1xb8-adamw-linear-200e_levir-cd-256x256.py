# Same as the CMID config, backbone randomly initialised (mmpretrain Swin's default init).
_base_ = './bit_cmid-swin-base_1xb8-adamw-linear-200e_levir-cd-256x256.py'

model = dict(backbone=dict(init_cfg=None))
