# Faster R-CNN + FPN (mmdet) on an mmpretrain ResNet-50, whose keys are exactly a CMID checkpoint's
# `backbone.*` (mmdet's ResNet stores the same tensors under other names). Initialised from a CMID
# training checkpoint (tools/train.py configs/cmid/...); converted official releases work too
# (tools/model_converters/).
_base_ = 'mmdet::_base_/models/faster-rcnn_r50_fpn.py'

cmid_checkpoint = 'work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
model = dict(
    backbone=dict(_delete_=True, type='mmpretrain.ResNet', depth=50, out_indices=(0, 1, 2, 3),
                  frozen_stages=1, norm_cfg=dict(type='BN', requires_grad=True), norm_eval=True,
                  init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')))
