# Faster R-CNN + FPN on DIOR (20 classes, 800x800, horizontal boxes) from a CMID ResNet-50.
_base_ = [
    '../_base_/models/faster-rcnn_resnet50_fpn.py', 'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
# A CMID training checkpoint (tools/train.py configs/cmid/...): its `backbone.*` keys are the
# student backbone. Converted official releases work too (tools/model_converters/).
cmid_checkpoint = 'work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    roi_head=dict(bbox_head=dict(num_classes=20)))

dataset_type = 'DIORDataset'
data_root = 'data/DIOR/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(800, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(800, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Main/train.txt',
        img_subdir='JPEGImages-trainval',
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Main/val.txt',
        img_subdir='JPEGImages-trainval',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Main/test.txt',
        img_subdir='JPEGImages-test',
        test_mode=True,
        pipeline=test_pipeline))
val_evaluator = dict(type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = val_evaluator

# 4 GPUs x 2 images: half of mmdet's 8 x 2 learning rate
optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(enable=False, base_batch_size=8)
