# Equal-budget SSL benchmark (./README.md): mmpretrain's MoCo v3 (ResNet variant: in-batch
# InfoNCE, temperature 1, predictor, EMA momentum encoder) on the benchmark's data, views,
# optimizer and schedule. Changed from mmpretrain's ImageNet recipe: the EMA momentum
# 0.02 -> 0 (cosine, as CMID's teacher here) and the MLPs sized to ResNet-18 (1024 hidden).
_base_ = './cmid_resnet18_1xb32-adan-60i_neon-64px-bench.py'

temperature = 1.0
model = dict(
    _delete_=True,
    type='MoCoV3',
    base_momentum=0.02,
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(type='ResNet', depth=18, in_channels=3, out_indices=(3, ),
                  norm_cfg=dict(type='BN')),
    neck=dict(type='NonLinearNeck', in_channels=512, hid_channels=1024, out_channels=256,
              num_layers=2, with_bias=False, with_last_bn=True, with_last_bn_affine=False,
              with_last_bias=False, with_avg_pool=True),
    head=dict(
        type='MoCoV3Head',
        predictor=dict(type='NonLinearNeck', in_channels=256, hid_channels=1024,
                       out_channels=256, num_layers=2, with_bias=False, with_last_bn=False,
                       with_last_bn_affine=False, with_last_bias=False, with_avg_pool=False),
        loss=dict(type='CrossEntropyLoss', loss_weight=2 * temperature),
        temperature=temperature))
train_pipeline = _base_.train_pipeline[:-1] + [dict(type='PackInputs', meta_keys=['img_path'])]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
default_hooks = dict(teacher_temp=dict(module_name=None))  # no local head
