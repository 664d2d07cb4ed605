# ISPRS Potsdam as mmseg ships it (mmseg::_base_/datasets/potsdam.py: 6 classes incl. clutter,
# 512x512 crops, batch 4), plus CheckSameSize: a label map whose size differs from its image is
# one error naming both files, not a failure deep in the collate. Used by the 80k-iteration
# mmseg-style configs; the paper protocol (5 classes, clutter ignored) is ./potsdam_512.py.
# CheckSameSize is cmid_mm's: ../runtimes/seg_default_runtime.py imports cmid_mm.
_base_ = 'mmseg::_base_/datasets/potsdam.py'

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='CheckSameSize'),
    dict(type='RandomResize', scale=(512, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size={{_base_.crop_size}}, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
# mmseg resizes the test image before loading the label; the size check needs both first. The
# converted tiles are 512x512, so this Resize leaves image and label as they are.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='CheckSameSize'),
    dict(type='Resize', scale=(512, 512), keep_ratio=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
