# Linear probe: frozen CMID ResNet-50 (stem + 4 stages, BN statistics frozen), linear head.
_base_ = './cls_cmid-resnet50.py'

model = dict(
    backbone=dict(frozen_stages=4, norm_eval=True),
    head=dict(loss=dict(_delete_=True, type='CrossEntropyLoss', loss_weight=1.0)),
    train_cfg=None)
