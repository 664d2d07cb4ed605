# CMID paper protocol for Swin-B (official SemanticSegmentation/config/CMID-Swin-B_config.py):
# as the ResNet-50 one (clutter ignored, 5-class mIoU, cosine with 100 warm-up iterations,
# 50 epochs, batch 8, whole-image test) but AdamW lr 6e-5, weight decay 0.01 (none on position
# tables and norms), drop-path 0.3, and fp32 (the official Swin-B config has no fp16 hook).
_base_ = [
    '../_base_/models/upernet_swin-base.py', '../_base_/datasets/potsdam_512.py',
    '../_base_/runtimes/seg_default_runtime.py', '../_base_/schedules/seg_sgd-coslr-50e.py'
]
num_classes = 5
model = dict(data_preprocessor=dict(size=(512, 512)), decode_head=dict(num_classes=num_classes),
             auxiliary_head=dict(num_classes=num_classes))
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=6e-5, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=_base_.swin_paramwise_cfg)
