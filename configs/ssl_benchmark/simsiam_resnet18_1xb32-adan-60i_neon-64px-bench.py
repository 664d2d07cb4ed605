# Equal-budget SSL benchmark (./README.md): mmpretrain's SimSiam on the benchmark's data, views,
# optimizer and schedule; as mmpretrain's recipe, the predictor keeps the base lr (SimSiamHook,
# fix_lr). Changed: the MLPs sized to ResNet-18 (projector 512 -> 512 -> 512 -> 512, predictor
# bottleneck 128: the paper's 4x reduction).
_base_ = './cmid_resnet18_1xb32-adan-60i_neon-64px-bench.py'

model = dict(
    _delete_=True,
    type='SimSiam',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(type='ResNet', depth=18, in_channels=3, out_indices=(3, ),
                  norm_cfg=dict(type='BN')),
    neck=dict(type='NonLinearNeck', in_channels=512, hid_channels=512, out_channels=512,
              num_layers=3, with_last_bn_affine=False, with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        loss=dict(type='CosineSimilarityLoss'),
        predictor=dict(type='NonLinearNeck', in_channels=512, hid_channels=128,
                       out_channels=512, with_avg_pool=False, with_last_bn=False,
                       with_last_bias=True)))
train_pipeline = _base_.train_pipeline[:-1] + [dict(type='PackInputs', meta_keys=['img_path'])]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'predictor': dict(fix_lr=True)}))
default_hooks = dict(teacher_temp=dict(module_name=None))  # no local head
custom_hooks = [
    dict(type='SimSiamHook', priority='HIGH', fix_pred_lr=True,
         lr=_base_.optim_wrapper.optimizer.lr),
    dict(type='BackboneExportHook'),
]
