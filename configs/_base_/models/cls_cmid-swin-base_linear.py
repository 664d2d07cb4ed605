# Linear probe: frozen CMID Swin-B (patch embedding, 4 stages and the output norm), linear head.
_base_ = './cls_cmid-swin-base.py'

model = dict(
    backbone=dict(frozen_stages=3, drop_path_rate=0.),
    head=dict(loss=dict(_delete_=True, type='CrossEntropyLoss', loss_weight=1.0)),
    train_cfg=None)
