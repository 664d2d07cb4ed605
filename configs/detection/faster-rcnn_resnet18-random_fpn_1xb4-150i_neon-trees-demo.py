# Baseline: faster-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-demo.py with a randomly initialised backbone (all stages trained, BN
# statistics updated: there is nothing pretrained to freeze).
_base_ = ['./faster-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-demo.py', '../_base_/models/random_init.py']

model = dict(backbone=dict(frozen_stages=-1, norm_eval=False, init_cfg=_base_.random_init))
