# Equal-budget SSL benchmark (./README.md): mmpretrain's BYOL on the benchmark's data, views,
# optimizer and schedule. Changed from mmpretrain's ImageNet recipe: the target EMA momentum
# 0.02 -> 0 (cosine, as CMID's teacher here) and the MLPs sized to ResNet-18 (1024 hidden).
_base_ = './cmid_resnet18_1xb32-adan-60i_neon-64px-bench.py'

model = dict(
    _delete_=True,
    type='BYOL',
    base_momentum=0.02,
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(type='ResNet', depth=18, in_channels=3, out_indices=(3, ),
                  norm_cfg=dict(type='BN')),
    neck=dict(type='NonLinearNeck', in_channels=512, hid_channels=1024, out_channels=256,
              num_layers=2, with_bias=True, with_last_bn=False, with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        predictor=dict(type='NonLinearNeck', in_channels=256, hid_channels=1024,
                       out_channels=256, num_layers=2, with_bias=True, with_last_bn=False,
                       with_avg_pool=False),
        loss=dict(type='CosineSimilarityLoss')))
train_pipeline = _base_.train_pipeline[:-1] + [dict(type='PackInputs', meta_keys=['img_path'])]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
default_hooks = dict(teacher_temp=dict(module_name=None))  # no local head
