# Baseline: ImageNet-1k supervised Swin-B (mmpretrain zoo).
_base_ = './oriented-rcnn_cmid-swin-base_fpn_1xb2-1x_dotav1-1024.py'

zoo_checkpoint = 'https://download.openmmlab.com/mmclassification/v0/swin-transformer/swin_base_224_b16x64_300e_imagenet_20210616_190742-93230b0d.pth'  # noqa: E501
model = dict(backbone=dict(init_cfg=dict(checkpoint=zoo_checkpoint, prefix='backbone.')))
