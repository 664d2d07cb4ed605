# DIOR (Li et al. 2020): 800x800 optical images, 20 classes, horizontal boxes; train / val / test
# split files. ./dior-r_800.py (oriented boxes) inherits the loaders.
_base_ = './det_common.py'

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
    dict(t, scale=(800, 800)) if t['type'].endswith('Resize') else t
    for t in _base_.det_test_pipeline
]
train_dataloader = dict(dataset=dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='ImageSets/Main/train.txt',
    img_subdir='JPEGImages-trainval',
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline=train_pipeline))
val_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='ImageSets/Main/val.txt',
    img_subdir='JPEGImages-trainval',
    test_mode=True,
    pipeline=test_pipeline)
val_dataloader = dict(dataset=val_dataset)
test_dataloader = dict(dataset=val_dataset | dict(
    ann_file='ImageSets/Main/test.txt', img_subdir='JPEGImages-test'))
val_evaluator = dict(type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = val_evaluator
