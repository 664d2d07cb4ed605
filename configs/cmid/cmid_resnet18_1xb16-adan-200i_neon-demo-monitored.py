# The CPU demo with the training monitors: kNN accuracy on the labelled NEON-site tiles every 50
# iterations, collapse indicators every 10 (the logger interval), reconstruction panels every 50,
# scalars and images also to TensorBoard. Labelled tiles: demo/prepare_knn_data.py.
_base_ = './cmid_resnet18_1xb16-adan-200i_neon-demo.py'

knn_data_root = 'data/rs_knn/neon_sites/'
knn_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128)),
    dict(type='PackInputs'),
]
knn_loader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='CustomDataset', data_root=knn_data_root, ann_file='train.txt',
                 data_prefix='images', classes=('OSBS', 'SOAP', 'YELL'), pipeline=knn_pipeline))

custom_hooks = [
    dict(type='KNNEvalHook', by_epoch=False, interval=50, k=20, temperature=0.07,
         bank_dataloader=knn_loader,
         query_dataloader=dict(knn_loader,
                               dataset=dict(knn_loader['dataset'], ann_file='val.txt'))),
    dict(type='CollapseMonitorHook', interval=10),
    dict(type='ReconstructionVisHook', interval=50, max_images=4),
]
visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
                                dict(type='TensorboardVisBackend')])
