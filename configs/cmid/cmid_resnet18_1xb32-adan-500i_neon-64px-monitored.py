# The 64 px CPU recipe with training monitors (what `make demo` trains): kNN top-1 on the held-out
# labelled NEON-site tiles (demo/prepare_knn_data.py) before training (this run's random init) and
# every 50 iterations, at the training resolution, and the collapse indicators (with the local
# loss's input-blind floor) every 10 iterations (the logger interval).
_base_ = './cmid_resnet18_1xb32-adan-500i_neon-64px.py'

knn_data_root = 'data/rs_knn/neon_sites/'
knn_loader = dict(
    batch_size=32, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='CustomDataset', data_root=knn_data_root, ann_file='train.txt',
                 data_prefix='images', classes=('OSBS', 'SOAP', 'YELL'),
                 pipeline=[dict(type='LoadImageFromFile'), dict(type='Resize', scale=(64, 64)),
                           dict(type='PackInputs')]))
custom_hooks = [
    dict(type='KNNEvalHook', by_epoch=False, interval=50, k=20, temperature=0.07,
         eval_at_start=True,
         bank_dataloader=knn_loader,
         query_dataloader=dict(knn_loader,
                               dataset=dict(knn_loader['dataset'], ann_file='val.txt'))),
    dict(type='CollapseMonitorHook', interval=10),
]
