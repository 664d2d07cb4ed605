# The simple alternative to BIT: |A - B| of the CMID ResNet-50 features (symmetric in the dates)
# into mmseg's FCNHead.
_base_ = './bit_cmid-resnet50_1xb8-sgd-linear-200e_cdd-256x256.py'

model = dict(
    neck=dict(policy='abs_diff'),
    decode_head=dict(
        _delete_=True,
        type='FCNHead', in_channels=1024, channels=256, num_convs=2, concat_input=False,
        dropout_ratio=0.1, num_classes=2, norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))
