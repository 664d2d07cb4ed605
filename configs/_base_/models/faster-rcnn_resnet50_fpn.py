# Faster R-CNN + FPN (mmdet) on an mmpretrain ResNet-50, whose keys are exactly a CMID checkpoint's
# `backbone.*` (mmdet's ResNet stores the same tensors under other names).
_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'

model = dict(
    backbone=dict(_delete_=True, type='mmpretrain.ResNet', depth=50, out_indices=(0, 1, 2, 3),
                  frozen_stages=1, norm_cfg=dict(type='BN', requires_grad=True), norm_eval=True))
