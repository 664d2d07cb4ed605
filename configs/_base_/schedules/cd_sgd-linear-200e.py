# BIT's schedule (Chen et al. 2021): SGD lr 0.01, momentum 0.99, weight decay 5e-4, batch 8,
# 200 epochs with the lr decaying linearly to 0; the best checkpoint by change-class F1 is kept.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.99, weight_decay=5e-4))
param_scheduler = [
    dict(type='PolyLR', power=1.0, eta_min=0.0, begin=0, end=200, by_epoch=True,
         convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=10, max_keep_ckpts=2,
                    save_best='F1', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # writes 0/255 PNG change maps of a test run when out_dir is set, e.g. tools/test.py ...
    # --cfg-options default_hooks.visualization.out_dir=work_dirs/change_maps
    visualization=dict(type='ChangeMapHook', out_dir=None))
