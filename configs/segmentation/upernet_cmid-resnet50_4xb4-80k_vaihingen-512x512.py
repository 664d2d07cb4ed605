# UperNet on ISPRS Vaihingen (mmseg's dataset config + size check, 512x512 crops) from a CMID ResNet-50.
_base_ = [
    '../_base_/models/upernet_resnet50.py', '../_base_/datasets/vaihingen_6class.py',
    '../_base_/runtimes/seg_default_runtime.py', 'mmseg::_base_/schedules/schedule_80k.py'
]
# A CMID training checkpoint (tools/train.py configs/cmid/...): its `backbone.*` keys are the
# student backbone. Converted official releases work too (tools/model_converters/).
cmid_checkpoint = 'work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    decode_head=dict(num_classes=6),
    auxiliary_head=dict(num_classes=6))
