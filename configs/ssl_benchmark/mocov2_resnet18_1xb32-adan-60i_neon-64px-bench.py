# Equal-budget SSL benchmark (./README.md): mmpretrain's MoCo v2 (MoCo + ContrastiveHead) on the
# benchmark's data, views, optimizer and schedule. The differences from mmpretrain's ImageNet
# recipe are those the CMID recipe made for the same reasons (../cmid/cpu_recipe.md): a 256-key
# queue (422 tiles: a longer queue holds copies of the query's own tile), key-encoder EMA weight
# 0.01 (the mean of CMID's 0.02 -> 0; mmpretrain's 0.001 barely moves in 60 iterations), and
# the neck sized to ResNet-18 as CMID's global neck (512 -> 512 -> 128).
_base_ = './cmid_resnet18_1xb32-adan-60i_neon-64px-bench.py'

model = dict(
    _delete_=True,
    type='MoCo',
    queue_len=256,
    feat_dim=128,
    momentum=0.01,
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(type='ResNet', depth=18, in_channels=3, out_indices=(3, ),
                  norm_cfg=dict(type='BN')),
    neck=dict(type='MoCoV2Neck', in_channels=512, hid_channels=512, out_channels=128,
              with_avg_pool=True),
    head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'), temperature=0.2))
# the same two views as CMID (the block masks it also draws are not packed)
train_pipeline = _base_.train_pipeline[:-1] + [dict(type='PackInputs', meta_keys=['img_path'])]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
default_hooks = dict(teacher_temp=dict(module_name=None))  # no local head
