# Baseline: faster-rcnn_cmid-resnet50_fpn_4xb2-1x_dotav1-hbb-1024.py with a randomly initialised backbone (all stages trained, BN
# statistics updated: there is nothing pretrained to freeze).
_base_ = ['./faster-rcnn_cmid-resnet50_fpn_4xb2-1x_dotav1-hbb-1024.py', '../_base_/models/random_init.py']

model = dict(backbone=dict(frozen_stages=-1, norm_eval=False, init_cfg=_base_.random_init))
