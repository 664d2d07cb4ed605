# Demo baseline: the CMID tree-detection demo config with a randomly initialised ResNet-18 (all
# stages trained, BN statistics updated: there is nothing pretrained to freeze).
_base_ = './faster-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-demo.py'

model = dict(
    backbone=dict(
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=[
            dict(type='Kaiming', layer=['Conv2d']),
            dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
        ]))
