# DOTA v1.0 oriented boxes on 1024 px patches with a 200 px overlap (single scale), split by
# cmid_mm.detection.rotated.split_scene_rotated. Flips h / v / diagonal 0.25 each (the paper's).
dataset_type = 'DOTADataset'
data_root = 'data/DOTA-split-1024/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRotatedAnnotations', with_bbox=True),
    dict(type='RotatedResize', scale=(1024, 1024), keep_ratio=True),
    dict(type='RotatedRandomFlip', prob=[0.25, 0.25, 0.25],
         direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RotatedResize', scale=(1024, 1024), keep_ratio=True),
    dict(type='LoadRotatedAnnotations', with_bbox=True),  # after Resize: gts in image pixels
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
        type=dataset_type,
        data_root=data_root,
        ann_file='trainval/labelTxt/',
        data_prefix=dict(img_path='trainval/images/'),
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
# DOTA's test labels are private: predict on the unlabelled test patches, merge them into scenes
# (rotated NMS 0.1) and write the evaluation server's Task1_<class>.txt files.
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
            dict(type='RotatedResize', scale=(1024, 1024), keep_ratio=True),
            dict(type='PackDetInputs',
                 meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
        ]))
val_evaluator = dict(type='DOTAMetric', eval_mode='11points')  # patch-level, DOTA devkit's AP
test_evaluator = dict(type='DOTAMetric', format_only=True, merge_patches=True,
                      outfile_prefix='work_dirs/dotav1_task1')
