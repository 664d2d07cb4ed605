# DIOR-R: DIOR's 800x800 images with oriented boxes (20 classes); the loaders of ./dior_800.py,
# trained on train + val and evaluated on test (DOTA devkit's 11-point AP).
_base_ = './dior_800.py'

dataset_type = 'DIORRDataset'
# the rotated pipelines of ./det_common.py at DIOR's 800 px
train_pipeline, test_pipeline = (
    [dict(t, scale=(800, 800)) if t['type'].endswith('Resize') else t for t in pipeline]
    for pipeline in (_base_.rotated_train_pipeline, _base_.rotated_test_pipeline))
train_dataloader = dict(
    batch_sampler=None,
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(type=dataset_type, data_root={{_base_.data_root}},
                 ann_file=f'ImageSets/Main/{split}.txt', img_subdir='JPEGImages-trainval',
                 filter_cfg=dict(filter_empty_gt=True), pipeline=train_pipeline)
            for split in ('train', 'val')
        ]))
val_dataloader = dict(dataset=dict(type=dataset_type, ann_file='ImageSets/Main/test.txt',
                                   img_subdir='JPEGImages-test', pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='DOTAMetric', eval_mode='11points')
test_evaluator = val_evaluator
