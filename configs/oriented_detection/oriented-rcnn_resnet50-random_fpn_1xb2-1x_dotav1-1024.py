# Baseline: a randomly initialised ResNet-50 (all stages trained, BN statistics updated).
_base_ = './oriented-rcnn_cmid-resnet50_fpn_1xb2-1x_dotav1-1024.py'

model = dict(
    backbone=dict(
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=[
            dict(type='Kaiming', layer=['Conv2d']),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
        ]))
