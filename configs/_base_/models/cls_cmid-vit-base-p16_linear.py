# Linear probe: frozen CMID ViT-B/16 (embeddings, 12 layers, final norm), linear head on the
# class token.
_base_ = './cls_cmid-vit-base-p16.py'

model = dict(
    backbone=dict(frozen_stages=12, drop_path_rate=0.),
    head=dict(loss=dict(_delete_=True, type='CrossEntropyLoss', loss_weight=1.0)),
    train_cfg=None)
