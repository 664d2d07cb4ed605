# UC Merced Land-Use, 8:2 split (tools/dataset_converters/make_scene_splits.py), 224 px.
# Train augmentation of the official CMID fine-tuning (RandAugment rand-m9-mstd0.5-inc1, random
# erasing 0.25; Mixup / CutMix / label smoothing live in the model config), plus vertical flips:
# overhead images have no canonical orientation.
_base_ = './millionaid_norm.py'

dataset_type = 'UCMerced'
data_root = 'data/UCMerced_LandUse'
split_ratio = '8-2'
num_classes = 21

# MillionAID statistics, as in CMID pretraining
data_preprocessor = dict(num_classes=num_classes, mean=_base_.millionaid_mean,
                         std=_base_.millionaid_std, to_rgb=True)
bgr_mean = data_preprocessor['mean'][::-1]
bgr_std = data_preprocessor['std'][::-1]

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=[0.25, 0.25], direction=['horizontal', 'vertical']),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2, total_level=10,
         magnitude_level=9, magnitude_std=0.5,
         hparams=dict(pad_val=[round(x) for x in bgr_mean], interpolation='bicubic')),
    dict(type='RandomErasing', erase_prob=0.25, mode='rand', min_area_ratio=0.02,
         max_area_ratio=1 / 3, fill_color=bgr_mean, fill_std=bgr_std),
    dict(type='PackInputs'),
]
# Linear probing (the -linear dataset bases): random resized crop and flips only, as mmpretrain's
# linear benchmarks.
linear_probe_pipeline = train_pipeline[:3] + train_pipeline[-1:]
# Scene images are resized whole (no centre crop: objects near the border define the class).
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224), interpolation='bicubic'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=False,
    dataset=dict(type=dataset_type, data_root=data_root, split='train', split_ratio=split_ratio,
                 pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    train_dataloader, sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(train_dataloader['dataset'], split='test', pipeline=test_pipeline))
# Overall accuracy (OA) on the test split, the number RS scene papers report.
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
