# Oriented R-CNN 1x on DIOR-R from a CMID Swin-B: the ResNet-50 sibling with the Swin-B backbone
# and the AdamW recipe of mmdet's Swin configs, the paper's schedule and clipping otherwise.
_base_ = ['./oriented-rcnn_cmid-resnet50_fpn_1xb2-1x_dior-r.py',
          '../_base_/models/det_swin-base_backbone.py']

cmid_checkpoint = _base_.swin_base_checkpoint
model = _base_.swin_base_detector
optim_wrapper = _base_.swin_base_adamw
