# UperNet on ISPRS Potsdam (mmseg's dataset config + size check, 512x512 crops) from a CMID ResNet-50.
_base_ = [
    '../_base_/models/upernet_resnet50.py', '../_base_/datasets/potsdam_6class.py',
    '../_base_/runtimes/seg_default_runtime.py', 'mmseg::_base_/schedules/schedule_80k.py'
]
model = dict(data_preprocessor=dict(size=_base_.crop_size),  # the dataset base's crops
             decode_head=dict(num_classes=6), auxiliary_head=dict(num_classes=6))
