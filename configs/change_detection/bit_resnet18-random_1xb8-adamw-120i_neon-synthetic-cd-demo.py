# Demo baseline: the CMID change-detection demo config with a randomly initialised ResNet-18.
_base_ = ['./bit_cmid-resnet18_1xb8-adamw-120i_neon-synthetic-cd-demo.py',
          '../_base_/models/random_init.py']

model = dict(backbone=dict(init_cfg=_base_.random_init))
