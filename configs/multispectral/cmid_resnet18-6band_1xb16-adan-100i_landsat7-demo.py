# CPU demo: CMID on 6-band Landsat-7 tiles (demo/demo_multispectral.sh). The RGB NEON demo
# config with 6 input bands, 6 reconstructed bands, 96 px views and view-2 ops that work on N bands.
_base_ = ['../cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py', '../_base_/datasets/landsat7_6band.py']

model = dict(
    # mmpretrain's SelfSupDataPreprocessor accepts only 1 or 3 bands
    data_preprocessor=dict(type='NBandSelfSupDataPreprocessor', mean=_base_.band_mean,
                           std=_base_.band_std, to_rgb=False),
    backbone=dict(in_channels=6),
    decoder=dict(out_channels=6))

# ColorJitter, RandomGrayscale and mmpretrain's GaussianBlur (PIL) need 3 bands; these ops work
# on any number of uint8 bands.
view_pipelines = [
    [],
    [
        dict(type='RandomApply', prob=0.8, transforms=[
            dict(type='Brightness', magnitude_range=(-0.4, 0.4), prob=1.0)]),
        dict(type='RandomGaussianNoise', std_range=(0., 0.05), prob=0.6, max_value=255.),
        dict(type='Solarize', thr=128, prob=0.2),
    ],
]
train_pipeline = [
    _base_.load_rs_image,
    dict(type='CMIDTwoViews', img_size=96, crop_scale=(0.3, 1.0), hflip_prob=0.5,
         vflip_prob=0.5, view_pipelines=view_pipelines, mask_patch_size=32, mask_ratio=0.6),
    dict(type='PackInputs', algorithm_keys=['crop_boxes'], meta_keys=['img_path']),
]
train_dataloader = dict(
    sampler=dict(type='InfiniteSampler', shuffle=True),  # 42 tiles: < 3 batches per epoch
    dataset=dict(data_root='data/landsat_demo/', data_prefix='pretrain/', pipeline=train_pipeline))

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=10),
    dict(type='CosineAnnealingLR', T_max=90, eta_min=1e-6, by_epoch=False, begin=10, end=100),
]
train_cfg = dict(max_iters=100)
default_hooks = dict(checkpoint=dict(interval=100), teacher_temp=dict(warmup_iters=50))
