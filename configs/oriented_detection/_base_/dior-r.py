# DIOR-R: DIOR's 800x800 images, trainval / test split files, oriented boxes (20 classes).
dataset_type = 'DIORRDataset'
data_root = 'data/DIOR/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRotatedAnnotations', with_bbox=True),
    dict(type='RotatedResize', scale=(800, 800), keep_ratio=True),
    dict(type='RotatedRandomFlip', prob=[0.25, 0.25, 0.25],
         direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RotatedResize', scale=(800, 800), keep_ratio=True),
    dict(type='LoadRotatedAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=None,
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(type=dataset_type, data_root=data_root, ann_file=f'ImageSets/Main/{split}.txt',
                 img_subdir='JPEGImages-trainval', filter_cfg=dict(filter_empty_gt=True),
                 pipeline=train_pipeline) for split in ('train', 'val')
        ]))
val_dataloader = dict(
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
test_dataloader = val_dataloader
val_evaluator = dict(type='DOTAMetric', eval_mode='11points')
test_evaluator = val_evaluator
