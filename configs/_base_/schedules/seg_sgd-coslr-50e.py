# The CMID paper's segmentation schedule (official SemanticSegmentation/config/CMID-ResNet50_config.py):
# SGD lr 0.01, momentum 0.9, weight decay 1e-4; cosine annealing per iteration down to 1e-6 over
# the whole run with a 100-iteration linear warm-up from 0.1x (mmcv's default warmup_ratio);
# 50 epochs, validation (and a checkpoint) every 5 epochs. The official ResNet-50 run used fp16
# (Fp16OptimizerHook): add --amp to tools/train.py on a GPU.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    clip_grad=None)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=True, begin=0, end=50,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=True, interval=5, max_keep_ckpts=2,
                    save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
