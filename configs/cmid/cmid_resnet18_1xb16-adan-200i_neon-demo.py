# CPU demo: CMID on real 10 cm NEON aerial RGB tiles shipped with the `deepforest` PyPI package
# (tiled into data/neon_demo/ by demo/prepare_demo_data.py). ResNet-18 at 128 px, a few minutes.
_base_ = './cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py'

model = dict(
    backbone=dict(depth=18),
    global_neck=dict(in_channels=512, hid_channels=512, out_channels=128),
    global_head=dict(queue_len=2048, feat_dim=128),
    local_neck=dict(in_channels=512, hid_channels=512, bottleneck_channels=128, out_channels=512),
    local_head=dict(out_channels=512, num_pairs=6),  # 128 px -> 4x4 cells
    decoder=dict(in_channels=512))

train_pipeline = [
    dict(type='CheckedLoadImageFromFile', expected_channels=3),
    dict(type='CMIDTwoViews', img_size=128, crop_scale=(0.3, 1.0), hflip_prob=0.5,
         vflip_prob=0.5, view_pipelines=_base_.view_pipelines, mask_patch_size=32,
         mask_ratio=0.6),
    dict(type='PackInputs', algorithm_keys=['crop_boxes'], meta_keys=['img_path']),
]
train_dataloader = dict(
    batch_size=16, num_workers=1, persistent_workers=True, pin_memory=False,
    dataset=dict(data_root='data/neon_demo/', data_prefix='tiles/', pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=180, eta_min=1e-6, by_epoch=False, begin=20, end=200),
]
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=200)
default_hooks = dict(
    teacher_temp=dict(warmup_iters=100),  # the teacher temperature warms up over 100 iterations
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=100, by_epoch=False, max_keep_ckpts=2))
log_processor = dict(window_size=10, by_epoch=False)
# student_backbone_last.pth (45 MB) beside the 325 MB training checkpoint: what downstream loads
custom_hooks = [dict(type='BackboneExportHook')]
randomness = dict(seed=0)
