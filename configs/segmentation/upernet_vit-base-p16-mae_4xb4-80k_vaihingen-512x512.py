# Baseline: the CMID ViT-B/16 UperNet config with MAE ImageNet-1k 1600e weights (mmpretrain zoo).
_base_ = './upernet_cmid-vit-base-p16_4xb4-80k_vaihingen-512x512.py'

zoo_checkpoint = 'https://download.openmmlab.com/mmselfsup/1.x/mae/mae_vit-base-p16_8xb512-fp16-coslr-1600e_in1k/mae_vit-base-p16_8xb512-fp16-coslr-1600e_in1k_20220825-f7569ca2.pth'  # noqa: E501
model = dict(backbone=dict(init_cfg=dict(checkpoint=zoo_checkpoint)))
