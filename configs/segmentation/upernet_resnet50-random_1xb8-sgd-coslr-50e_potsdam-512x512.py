# Baseline: upernet_cmid-resnet50_1xb8-sgd-coslr-50e_potsdam-512x512.py with a randomly initialised backbone.
_base_ = ['./upernet_cmid-resnet50_1xb8-sgd-coslr-50e_potsdam-512x512.py', '../_base_/models/random_init.py']

model = dict(backbone=dict(init_cfg=_base_.random_init))
