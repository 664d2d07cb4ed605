# Demo baseline: the CMID land-cover demo config with a randomly initialised ResNet-18.
_base_ = ['./upernet_cmid-resnet18_1xb8-150i_landsat-landcover-demo.py',
          '../_base_/models/random_init.py']

model = dict(backbone=dict(init_cfg=_base_.random_init))
