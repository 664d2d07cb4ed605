# Same as the CMID config, backbone from mmpretrain's ImageNet-1k supervised Swin-B (window 7; and
# the ImageNet normalisation it was trained with).
_base_ = [
    './bit_cmid-swin-base_1xb8-adamw-linear-200e_cdd-256x256.py',
    '../_base_/models/imagenet_in1k.py'
]
model = _base_.bit_swin_base_in1k
