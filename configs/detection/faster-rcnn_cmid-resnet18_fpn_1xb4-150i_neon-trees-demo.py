# CPU demo: Faster R-CNN + FPN from the demo-pretrained CMID ResNet-18 on NEON 10 cm RGB tree crowns
# (deepforest's labelled crops, cut into 256 px patches by demo/demo_downstream.py).
# Narrow FPN / RoI head, fewer proposals, 150 iterations.
_base_ = [
    '../_base_/models/faster-rcnn_resnet50_fpn.py', '../_base_/datasets/dotav1-hbb_1024.py',
    '../_base_/runtimes/det_default_runtime.py', '../_base_/datasets/millionaid_norm.py'
]

cmid_checkpoint = 'work_dirs/demo/cmid_pretrain/iter_200.pth'
channels = 64
model = dict(
    # the statistics the demo CMID pretraining normalised with
    data_preprocessor=dict(mean=_base_.millionaid_mean, std=_base_.millionaid_std),
    backbone=dict(
        depth=18,
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    neck=dict(in_channels=[64, 128, 256, 512], out_channels=channels),
    # crowns are 15-80 px: anchors of 16-256 px
    rpn_head=dict(in_channels=channels, feat_channels=channels,
                  anchor_generator=dict(scales=[4])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=channels),
        bbox_head=dict(in_channels=channels, fc_out_channels=256, num_classes=1)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=300),
        rcnn=dict(sampler=dict(num=128))),
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=300)))

# DOTA's horizontal-box layout (../_base_/datasets/dotav1-hbb_1024.py) at the patches' 256 px,
# one class; validation on the labelled val patches
data_root = 'data/neon_trees_demo/'
train_pipeline = [dict(t, scale=(256, 256)) if 'scale' in t else t for t in _base_.train_pipeline]
test_pipeline = [dict(t, scale=(256, 256)) if 'scale' in t else t for t in _base_.test_pipeline]
demo = dict(data_root=data_root, metainfo=dict(classes=('tree', )))
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False, batch_sampler=None,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(**demo, pipeline=train_pipeline))
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                      dataset=dict(**demo, pipeline=test_pipeline))
test_dataloader = val_dataloader | dict(dataset=val_dataloader['dataset'] | dict(  # the val set
    ann_file='val/labelTxt/', data_prefix=dict(img_path='val/images/')))
val_evaluator = dict(eval_mode='area', iou_thrs=[0.5])
test_evaluator = dict(_delete_=True, type='VOCMetric', metric='mAP', eval_mode='area',
                      iou_thrs=[0.5])

optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=130, eta_min=1e-4, by_epoch=False, begin=20, end=150),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=150, val_interval=150)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=25),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=150))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
