# LEVIR-CD (Chen & Shi 2020), the original release: train / val / test with A/, B/, label/
# (1024x1024 PNG, 445 / 64 / 128 pairs, masks 0/255). Training draws random 256x256 crops; each
# image is visited 16 times per epoch (RepeatDataset), as many 256x256 samples as BIT's pre-cut
# LEVIR-CD-256 (7120 crops). Test configs infer on 256x256 sliding windows.
_base_ = './cd_cdd.py'

dataset_type = 'LEVIRCDBitemporalDataset'
data_root = 'data/LEVIR-CD'
crop_size = (256, 256)
train_pipeline = [
    dict(type='LoadImagePairFromFile'),
    dict(type='LoadChangeLabel'),
    dict(type='ApplyToEachDate', transforms=[dict(type='PhotoMetricDistortion')]),
    dict(type='ConcatCDInput'),
    dict(type='RandomResize', scale=(1024, 1024), ratio_range=(1.0, 1.2), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=[0.25, 0.25, 0.25],
         direction=['horizontal', 'vertical', 'diagonal']),
    dict(type='RandomRotate', prob=0.5, degree=(90, 90)),
    dict(type='PackSegInputs', meta_keys={{_base_.meta_keys}}),
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='RepeatDataset',
        times=16,
        dataset=dict(type=dataset_type, data_root=data_root, split='train',
                     pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
