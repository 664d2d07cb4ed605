# Baseline: a randomly initialised Swin-B (mmpretrain's default initialisation).
_base_ = './oriented-rcnn_cmid-swin-base_fpn_1xb2-1x_dotav1-1024.py'

model = dict(backbone=dict(init_cfg=None))
