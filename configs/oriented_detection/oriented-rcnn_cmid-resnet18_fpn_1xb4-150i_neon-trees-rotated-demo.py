# CPU demo: Oriented R-CNN + FPN from the demo-pretrained CMID ResNet-18 on NEON 10 cm RGB tree
# crowns with exact rotated boxes (deepforest's crops cut into 256 px patches, each rotated by a
# random angle: demo/demo_oriented_data.py). The settings of the horizontal tree demo
# (configs/detection/faster-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-demo.py): narrow FPN /
# RoI head, 16-256 px anchors, fewer proposals, SGD 0.02 with a cosine schedule, 150 iterations.
_base_ = ['../_base_/models/oriented-rcnn_resnet50_fpn.py',
          '../_base_/runtimes/det_default_runtime.py']

cmid_checkpoint = 'work_dirs/demo/cmid_pretrain/iter_200.pth'
channels = 64
model = dict(
    # the statistics the demo CMID pretraining normalised with
    data_preprocessor=dict(mean=[86.19, 92.055, 85.425], std=[34.68, 34.425, 35.955]),
    backbone=dict(
        depth=18,
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    neck=dict(in_channels=[64, 128, 256, 512], out_channels=channels),
    rpn_head=dict(in_channels=channels, feat_channels=channels,
                  anchor_generator=dict(scales=[4])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=channels),
        bbox_head=dict(in_channels=channels, fc_out_channels=256, num_classes=1)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=300),
        rcnn=dict(sampler=dict(num=128))),
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=300), rcnn=dict(max_per_img=300)))

dataset = dict(type='DOTADataset', data_root='data/neon_trees_rotated_demo/',
               metainfo=dict(classes=('tree', )))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRotatedAnnotations', with_bbox=True),
    dict(type='RotatedResize', scale=(256, 256), keep_ratio=True),  # patches are 256 px already
    dict(type='RotatedRandomFlip', prob=0.75, direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RotatedResize', scale=(256, 256), keep_ratio=True),
    dict(type='LoadRotatedAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        **dataset,
        ann_file='train/labelTxt/',
        data_prefix=dict(img_path='train/images/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        **dataset,
        ann_file='val/labelTxt/',
        data_prefix=dict(img_path='val/images/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# AP50 as the horizontal demo's (area under the PR curve); crowns cut by the rotated patch's
# border are difficult: ignored
val_evaluator = dict(type='DOTAMetric', eval_mode='area', iou_thrs=[0.5])
test_evaluator = val_evaluator

optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=35, norm_type=2))
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
