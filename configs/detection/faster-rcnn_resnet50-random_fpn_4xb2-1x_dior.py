# Baseline: the CMID ResNet-50 Faster R-CNN config with a randomly initialised backbone (all
# stages trained, BN statistics updated: there is nothing pretrained to freeze).
_base_ = './faster-rcnn_cmid-resnet50_fpn_4xb2-1x_dior.py'

model = dict(
    backbone=dict(
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=[
            dict(type='Kaiming', layer=['Conv2d']),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
        ]))
