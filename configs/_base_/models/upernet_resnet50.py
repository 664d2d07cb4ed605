# UperNet (mmseg) on an mmpretrain ResNet-50, whose keys are exactly a CMID checkpoint's
# `backbone.*` (mmseg's own ResNetV1c has a deep stem: other keys). BN instead of mmseg's SyncBN so
# that a single process (CPU) runs; multi-GPU runs may add `--cfg-options sync_bn=torch`.
# Initialised from a CMID training checkpoint (tools/train.py configs/cmid/...), whose `backbone.*`
# keys are the student backbone; converted official releases work too (tools/model_converters/).
_base_ = 'mmseg::_base_/models/upernet_r50.py'

cmid_checkpoint = 'work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    backbone=dict(_delete_=True, type='mmpretrain.ResNet', depth=50, out_indices=(0, 1, 2, 3),
                  norm_cfg=norm_cfg, norm_eval=False,
                  init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    decode_head=dict(norm_cfg=norm_cfg),
    auxiliary_head=dict(norm_cfg=norm_cfg))
