# BIT (Chen, Qi & Shi, "Remote Sensing Image Change Detection with Transformers", TGRS 2021),
# variant BIT_S4_dd8: ImageNet ResNet-18 up to layer3 with layer3 dilated (output stride 8, 256
# channels), shared by both dates; 4 semantic tokens, 1 encoder / 8 decoder layers; 2-class CE.
# Input: (B, 6, H, W), date A's RGB then date B's, each normalised with ImageNet statistics.
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='SiameseEncoderDecoder',
    data_preprocessor=dict(
        type='BitemporalDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        size=(256, 256),
        pad_val=0,
        seg_pad_val=255),
    backbone=dict(
        type='mmpretrain.ResNet',
        depth=18,
        num_stages=3,
        strides=(1, 2, 1),
        dilations=(1, 1, 2),
        out_indices=(2, ),
        norm_cfg=norm_cfg,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
            'resnet18_8xb32_in1k_20210831-fbbb1da6.pth',
            prefix='backbone.')),
    neck=dict(type='BitemporalFusionNeck', policy='concat'),
    decode_head=dict(
        type='BITHead',
        in_channels=512,  # concat of the two dates' 256-channel layer3 maps
        channels=32,
        pre_upsample=2,
        num_tokens=4, enc_depth=1, dec_depth=8, num_heads=8,
        enc_head_dims=64, dec_head_dims=8, mlp_ratio=2,
        upsample=4, num_classes=2, dropout_ratio=0.0,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
