# MillionAID (unlabelled, images in category sub-folders) with CMID's two views + block masks.
dataset_type = 'UnlabeledRSDataset'
data_root = 'data/MillionAID/'

view_pipelines = [
    [],  # view 1: crop + flips only (done by CMIDTwoViews)
    [  # view 2: photometric augmentations, probabilities of the official pipeline
        dict(type='RandomApply', prob=0.8, transforms=[
            dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
        # always blurred (official p = 1.0), sigma uniform in [0.1, 2]
        dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.0),
        dict(type='RandomGaussianNoise', std_range=(0., 0.05), prob=0.6),
        dict(type='Solarize', thr=128, prob=0.2),
        dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
             channel_weights=(0.114, 0.587, 0.2989)),
    ],
]
train_pipeline = [
    # errors name the file for corrupt, truncated, empty or non-RGB images
    dict(type='CheckedLoadImageFromFile', expected_channels=3),
    # an image smaller than 224 px is an error naming it (allow_upsample=True to upsample);
    # 30 of 49 blocks masked (ceil, official)
    dict(type='CMIDTwoViews', img_size=224, crop_scale=(0.3, 1.0), hflip_prob=0.5,
         view_pipelines=view_pipelines, mask_patch_size=32, mask_ratio=0.6,
         mask_count_rounding='ceil', allow_upsample=False),
    dict(type='PackInputs', algorithm_keys=['crop_boxes'], meta_keys=['img_path']),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix='', pipeline=train_pipeline))
