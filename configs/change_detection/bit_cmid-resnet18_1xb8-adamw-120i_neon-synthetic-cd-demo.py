# CPU demo (`make demo`, demo/demo_change_detection.py): BIT over the ResNet-18 that the CMID
# demo pretrained (work_dirs/demo/cmid_pretrain/iter_500.pth) on synthetic change pairs cut from
# real NEON aerial tiles (128x128, made by the demo script in BitemporalDataset's layout).
_base_ = [
    '../_base_/models/bit_resnet18.py', '../_base_/datasets/cd_cdd.py',
    '../_base_/runtimes/cd_default_runtime.py', '../_base_/datasets/millionaid_norm.py',
    '../_base_/schedules/cd_sgd-linear-200e.py'
]

data_root = 'work_dirs/demo/change_detection/data'
model = dict(
    # the normalisation the CMID demo pretrained with (MillionAID statistics, RGB)
    data_preprocessor=dict(mean=_base_.millionaid_mean, std=_base_.millionaid_std,
                           size=(128, 128)),
    backbone=dict(init_cfg=dict(checkpoint='work_dirs/demo/cmid_pretrain/iter_500.pth')),
    # ~5 % of the pixels change: weighting them 10x lets a short run find them at all
    decode_head=dict(loss_decode=dict(class_weight=[1.0, 10.0])))

# CDD's pipelines without the resized crop (the tiles are 128 px already)
train_pipeline = [
    t for t in _base_.train_pipeline if t['type'] not in ('RandomResize', 'RandomCrop')
]
train_dataloader = dict(
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(_delete_=True, type='BitemporalDataset', data_root=data_root,
                 pipeline=train_pipeline,
                 data_prefix=dict(img_path='train/A', img_path2='train/B',
                                  seg_map_path='train/label')))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    dataset=dict(_delete_=True, type='BitemporalDataset', data_root=data_root,
                 pipeline=_base_.test_pipeline,
                 data_prefix=dict(img_path='test/A', img_path2='test/B',
                                  seg_map_path='test/label')))
test_dataloader = val_dataloader

# a short budget (~3 min for both demo runs on 2 cores) on BIT's hooks: AdamW (SGD with BIT's
# momentum 0.99 needs its 200 epochs), warm-up, linear decay, 120 iterations
optim_wrapper = dict(optimizer=dict(_delete_=True, type='AdamW', lr=1e-3, weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=15),
    dict(type='PolyLR', power=1.0, eta_min=0.0, by_epoch=False, begin=15, end=120),
]
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=120, val_interval=120)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(_delete_=True, type='CheckpointHook', by_epoch=False, interval=120))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
