# Scene classifier on a CMID Swin-B (window 7, 224); see cls_cmid-resnet50.py for the checkpoint.
_base_ = 'mmpretrain::_base_/models/swin_transformer/base_224.py'

model = dict(
    backbone=dict(
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/cmid_swin-base_4xb64-adan-coslr-400e_millionaid/epoch_400.pth',
            prefix='backbone.')),
    head=dict(topk=(1, )))
