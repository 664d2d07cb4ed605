# Faster R-CNN + FPN on DOTA v1.0 with horizontal boxes (15 classes), on 1024 px patches with a
# 200 px overlap (tools/dataset_converters/dota_split.py), from a CMID ResNet-50. Test-split
# detections are merged back into scenes by tools/dataset_converters/dota_merge.py.
_base_ = [
    '../_base_/models/faster-rcnn_resnet50_fpn.py', 'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/runtimes/det_default_runtime.py'
]
cmid_checkpoint = 'work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    roi_head=dict(bbox_head=dict(num_classes=15)),
    # DOTA patches are crowded (hundreds of vehicles)
    test_cfg=dict(rcnn=dict(max_per_img=1000)))

dataset_type = 'DOTAHBBDataset'
data_root = 'data/DOTA-split-1024/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1024, 1024), keep_ratio=True),
    dict(type='RandomFlip', prob=0.75, direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(1024, 1024), keep_ratio=True),
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
        ann_file='train/labelTxt/',
        data_prefix=dict(img_path='train/images/'),
        filter_cfg=dict(filter_empty_gt=True),
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
        ann_file='val/labelTxt/',
        data_prefix=dict(img_path='val/images/'),
        test_mode=True,
        pipeline=test_pipeline))
# DOTA's test labels are private: predict on the unlabelled test patches and dump them for
# dota_merge.py (which writes the evaluation server's Task2 files).
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='',
        data_prefix=dict(img_path='test/images/'),
        test_mode=True,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(1024, 1024), keep_ratio=True),
            dict(type='PackDetInputs',
                 meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
        ]))
# patch-level VOC07 mAP on val (the DOTA devkit's 11-point AP)
val_evaluator = dict(type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = dict(type='DumpDetResults', out_file_path='work_dirs/dotav1-hbb_test_patches.pkl')

optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(enable=False, base_batch_size=8)
