# ./faster-rcnn_resnet50_fpn.py with a CMID Swin-B backbone (./det_swin-base_backbone.py).
_base_ = ['./faster-rcnn_resnet50_fpn.py', './det_swin-base_backbone.py']

cmid_checkpoint = _base_.cmid_swin_base_backbone['init_cfg']['checkpoint']
model = dict(backbone=dict(_delete_=True, **_base_.cmid_swin_base_backbone),
             neck=dict(in_channels=_base_.swin_base_fpn_in_channels))
