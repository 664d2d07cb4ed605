# Same as the CMID config, backbone from mmpretrain's ImageNet-1k supervised ResNet-50 (and the
# ImageNet normalisation it was trained with).
_base_ = [
    './bit_cmid-resnet50_1xb8-sgd-linear-200e_levir-cd-256x256.py',
    '../_base_/models/imagenet_in1k.py'
]
model = _base_.bit_resnet50_in1k
