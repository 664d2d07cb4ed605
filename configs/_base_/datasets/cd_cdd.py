# CDD season-varying change detection (Lebedev et al. 2018; the `Real/subset` folder of the
# release): train / val / test with A/, B/, OUT/ (256x256 JPEG, 10000 / 3000 / 3000 pairs).
dataset_type = 'CDDBitemporalDataset'
data_root = 'data/CDD'
crop_size = (256, 256)
meta_keys = ('img_path', 'img_path2', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape',
             'scale_factor', 'flip', 'flip_direction', 'reduce_zero_label')
train_pipeline = [
    dict(type='LoadImagePairFromFile'),
    dict(type='LoadChangeLabel'),
    # photometric: each date draws its own distortion (acquisitions differ independently)
    dict(type='ApplyToEachDate', transforms=[dict(type='PhotoMetricDistortion')]),
    # from here on the dates are ONE 6-channel image: every geometric op below moves date A,
    # date B and the label together (BIT's scale-1..1.2 resized crop, flips, 90-degree turns)
    dict(type='ConcatCDInput'),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(1.0, 1.2), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=[0.25, 0.25, 0.25],
         direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='RandomRotate', prob=0.5, degree=(90, 90)),
    dict(type='PackSegInputs', meta_keys=meta_keys),
]
test_pipeline = [
    dict(type='LoadImagePairFromFile'),
    dict(type='LoadChangeLabel'),
    dict(type='ConcatCDInput'),
    dict(type='PackSegInputs', meta_keys=meta_keys),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    train_dataloader, batch_size=1, sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(train_dataloader['dataset'], split='val', pipeline=test_pipeline))
test_dataloader = val_dataloader | dict(dataset=val_dataloader['dataset'] | dict(split='test'))
val_evaluator = dict(type='ChangeDetectionMetric')
test_evaluator = val_evaluator
