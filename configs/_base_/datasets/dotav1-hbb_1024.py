# DOTA v1.0 with horizontal boxes (15 classes) on 1024 px patches with a 200 px overlap
# (tools/dataset_converters/dota_split.py). Test-split detections are merged back into scenes by
# tools/dataset_converters/dota_merge.py. ./dotav1_1024.py (oriented boxes) inherits the loaders.
_base_ = './det_common.py'

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
    dict(t, scale=(1024, 1024)) if t['type'].endswith('Resize') else t
    for t in _base_.det_test_pipeline
]
train_dataloader = dict(dataset=dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='train/labelTxt/',
    data_prefix=dict(img_path='train/images/'),
    filter_cfg=dict(filter_empty_gt=True),
    pipeline=train_pipeline))
val_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='val/labelTxt/',
    data_prefix=dict(img_path='val/images/'),
    test_mode=True,
    pipeline=test_pipeline)
val_dataloader = dict(dataset=val_dataset)
# DOTA's test labels are private: predict on the unlabelled test patches (no annotation loading)
# and dump them for dota_merge.py (which writes the evaluation server's Task2 files).
test_dataloader = dict(dataset=val_dataset | dict(
    ann_file='', data_prefix=dict(img_path='test/images/'),
    pipeline=[t for t in test_pipeline if t['type'] != 'LoadAnnotations']))
# patch-level VOC07 mAP on val (the DOTA devkit's 11-point AP)
val_evaluator = dict(type='VOCMetric', metric='mAP', eval_mode='11points')
test_evaluator = dict(type='DumpDetResults', out_file_path='work_dirs/dotav1-hbb_test_patches.pkl')
