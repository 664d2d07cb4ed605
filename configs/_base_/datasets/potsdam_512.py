# ISPRS Potsdam under the CMID paper's protocol (official SemanticSegmentation/config/*.py and its
# Potsdam loader): clutter/background is ignored in training AND evaluation, mIoU is over the
# other five classes. mmseg's converter writes 0 = boundary, 1-5 = the five classes, 6 = clutter;
# reduce_zero_label makes that 255, 0-4, 5, and naming only the five classes below makes mmseg's
# label map send clutter (5) to 255 (ignored by the loss and IoUMetric, which counts 5 classes).
# Batch 8 on one GPU, random resize ratio 0.5-2.0 + 512x512 crop (cat_max_ratio 0.75), flip,
# photometric distortion; whole-image test of the 512x512 tiles at their own size.
_base_ = './potsdam_6class.py'

classes = ('impervious_surface', 'building', 'low_vegetation', 'tree', 'car')
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='CheckSameSize'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=8,
    sampler=dict(type='DefaultSampler', shuffle=True),  # epoch-based, as the official runs
    dataset=dict(metainfo=dict(classes=classes)))
val_dataloader = dict(dataset=dict(metainfo=dict(classes=classes), pipeline=test_pipeline))
test_dataloader = val_dataloader
