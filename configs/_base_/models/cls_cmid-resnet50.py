# Scene classifier on a CMID ResNet-50. `prefix='backbone.'` loads the student backbone straight
# from a CMID training checkpoint; for tools/model_converters/extract_backbone.py output (keys
# without prefix) pass --cfg-options model.backbone.init_cfg.checkpoint=OUT.pth
# model.backbone.init_cfg.prefix=None. The official CMID fine-tuning recipe (label smoothing 0.1,
# Mixup 0.8, CutMix 1.0) is used for every backbone.
_base_ = 'mmpretrain::_base_/models/resnet50.py'

model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth',
            prefix='backbone.')),
    head=dict(loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
              topk=(1, )),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.8), dict(type='CutMix', alpha=1.0)]))
