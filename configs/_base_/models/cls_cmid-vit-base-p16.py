# Scene classifier on a CMID ViT-B/16. CMID pretrains CMIDVisionTransformer with
# out_type='featmap'; the classifier reads the class token of the same weights (same keys).
# See cls_cmid-resnet50.py for the checkpoint.
_base_ = ['mmpretrain::_base_/models/vit-base-p16.py', './cls_cmid-finetune-recipe.py']

model = dict(
    backbone=dict(
        drop_rate=0.,
        drop_path_rate=0.1,
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint='work_dirs/cmid_vit-base-p16_4xb64-adan-coslr-400e_millionaid/epoch_400.pth',
            prefix='backbone.')),
    head=_base_.cmid_finetune_head,
    train_cfg=_base_.cmid_finetune_train_cfg)
