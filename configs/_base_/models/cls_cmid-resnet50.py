# Scene classifier on a CMID ResNet-50. `prefix='backbone.'` loads the student backbone straight
# from a CMID training checkpoint; for tools/model_converters/extract_backbone.py output (keys
# without prefix) pass --cfg-options model.backbone.init_cfg.checkpoint=OUT.pth
# model.backbone.init_cfg.prefix=None. The official CMID fine-tuning recipe (label smoothing 0.1,
# Mixup 0.8, CutMix 1.0; ./cls_cmid-finetune-recipe.py) is used for every backbone.
_base_ = ['mmpretrain::_base_/models/resnet50.py', './cls_cmid-finetune-recipe.py']

model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth',
            prefix='backbone.')),
    head=_base_.cmid_finetune_head,
    train_cfg=_base_.cmid_finetune_train_cfg)
