# The CPU demo with the training monitors: kNN accuracy on the labelled NEON-site tiles every 50
# iterations, collapse indicators every 10 (the logger interval), reconstruction panels every 50,
# scalars and images also to TensorBoard. Labelled tiles: demo/prepare_knn_data.py.
_base_ = ['./cmid_resnet18_1xb16-adan-200i_neon-demo.py', '../_base_/datasets/knn_neon-sites.py']

custom_hooks = [
    dict(type='KNNEvalHook', by_epoch=False, interval=50, k=20, temperature=0.07,
         bank_dataloader=_base_.knn_bank_dataloader,
         query_dataloader=_base_.knn_query_dataloader),
    dict(type='CollapseMonitorHook', interval=10),
    dict(type='ReconstructionVisHook', interval=50, max_images=4),
]
visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
                                dict(type='TensorboardVisBackend')])
