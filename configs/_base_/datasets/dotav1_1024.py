# DOTA v1.0 oriented boxes on 1024 px patches with a 200 px overlap (single scale), split by
# cmid_mm.detection.rotated.split_scene_rotated: the loaders of ./dotav1-hbb_1024.py with rotated
# boxes, trained on trainval. Flips h / v / diagonal 0.25 each (the paper's).
_base_ = './dotav1-hbb_1024.py'

dataset_type = 'DOTADataset'
# the rotated pipelines of ./det_common.py at the patches' 1024 px
train_pipeline, test_pipeline = (
    [dict(t, scale=(1024, 1024)) if t['type'].endswith('Resize') else t for t in pipeline]
    for pipeline in (_base_.rotated_train_pipeline, _base_.rotated_test_pipeline))
train_dataloader = dict(
    batch_sampler=None,
    dataset=dict(type=dataset_type, ann_file='trainval/labelTxt/',
                 data_prefix=dict(img_path='trainval/images/'), pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(type=dataset_type, pipeline=test_pipeline))
# test patches are merged into scenes (rotated NMS 0.1) into the server's Task1_<class>.txt files
test_dataloader = dict(dataset=dict(
    type=dataset_type,
    pipeline=[t for t in test_pipeline if t['type'] != 'LoadRotatedAnnotations']))
val_evaluator = dict(_delete_=True, type='DOTAMetric', eval_mode='11points')  # patch-level AP
test_evaluator = dict(_delete_=True, type='DOTAMetric', format_only=True, merge_patches=True,
                      outfile_prefix='work_dirs/dotav1_task1')
