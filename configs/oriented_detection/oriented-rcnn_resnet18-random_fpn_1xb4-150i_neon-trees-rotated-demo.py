# Demo baseline: the CMID rotated tree-detection demo config with a randomly initialised
# ResNet-18 (all stages trained, BN statistics updated: there is nothing pretrained to freeze).
_base_ = ['./oriented-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-rotated-demo.py',
          '../_base_/models/random_init.py']

model = dict(backbone=dict(frozen_stages=-1, norm_eval=False, init_cfg=_base_.random_init))
