# Baseline: the CMID ResNet-50 Faster R-CNN config with MoCo v3 ImageNet-1k 800e weights
# (mmpretrain zoo).
_base_ = './faster-rcnn_cmid-resnet50_fpn_4xb2-1x_dotav1-hbb-1024.py'

zoo_checkpoint = 'https://download.openmmlab.com/mmselfsup/1.x/mocov3/mocov3_resnet50_8xb512-amp-coslr-800e_in1k/mocov3_resnet50_8xb512-amp-coslr-800e_in1k_20220927-e043f51a.pth'  # noqa: E501
model = dict(backbone=dict(init_cfg=dict(checkpoint=zoo_checkpoint)))
