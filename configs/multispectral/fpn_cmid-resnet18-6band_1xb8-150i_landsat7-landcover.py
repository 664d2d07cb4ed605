# Land-cover segmentation (7 classes) of the 6-band Landsat-7 demo scene: semantic FPN on a
# ResNet-18 backbone initialised from 6-band CMID pretraining (demo/demo_multispectral.sh).
# The AdaptInputBands init also lets an RGB checkpoint (the NEON CMID demo, a zoo model) load into
# this 6-band backbone: its R, G, B filters go to bands 2, 1, 0 (configs/multispectral/README.md).
_base_ = [
    '../_base_/runtimes/seg_default_runtime.py', 'mmseg::_base_/schedules/schedule_20k.py',
    '../_base_/datasets/landsat7_6band.py'
]

checkpoint = 'work_dirs/demo_multispectral/cmid_pretrain/iter_100.pth'  # CMID, `backbone.*` keys
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    init_cfg=dict(type='AdaptInputBands', rgb_bands=(2, 1, 0)),
    data_preprocessor=dict(type='SegDataPreProcessor', mean=_base_.band_mean,
                           std=_base_.band_std, bgr_to_rgb=False, pad_val=0, seg_pad_val=255,
                           size=(64, 64)),
    # mmpretrain's ResNet: its keys are the CMID checkpoint's `backbone.*` (mmseg's differ)
    backbone=dict(type='mmpretrain.ResNet', depth=18, in_channels=6, out_indices=(0, 1, 2, 3),
                  norm_cfg=norm_cfg,
                  init_cfg=dict(type='Pretrained', checkpoint=checkpoint, prefix='backbone.')),
    neck=dict(type='FPN', in_channels=[64, 128, 256, 512], out_channels=64, num_outs=4),
    decode_head=dict(type='FPNHead', in_channels=[64, 64, 64, 64], in_index=[0, 1, 2, 3],
                     feature_strides=[4, 8, 16, 32], channels=64, dropout_ratio=0.1,
                     num_classes=7, norm_cfg=norm_cfg, align_corners=False,
                     loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                                      loss_weight=1.0, avg_non_ignore=True)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

dataset_type = 'BaseSegDataset'
data_root = 'data/landsat_demo/seg/'
metainfo = dict(classes=_base_.class_names, palette=_base_.palette)
train_pipeline = [
    _base_.load_rs_image,
    dict(type='LoadAnnotations'),  # 0..6, 255 = unlabelled or nodata (ignored)
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PackSegInputs'),
]
test_pipeline = [_base_.load_rs_image, dict(type='LoadAnnotations'), dict(type='PackSegInputs')]
dataset = dict(type=dataset_type, data_root=data_root, metainfo=metainfo, img_suffix='.tif',
               seg_map_suffix='.png')

train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(**dataset, pipeline=train_pipeline,
                 data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train')))
val_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, pipeline=test_pipeline,
                 data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val')))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

optim_wrapper = dict(_delete_=True, type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01))
param_scheduler = [dict(type='PolyLR', eta_min=1e-5, power=0.9, begin=0, end=150, by_epoch=False)]
train_cfg = dict(max_iters=150, val_interval=150)
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=150))
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
