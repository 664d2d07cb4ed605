# CMID with a ResNet-50 (paper setting, see configs/cmid/README.md). The 'auto' widths are read from
# the backbone (see CMID's docstring): swapping the backbone is the backbone line alone.
model = dict(
    type='CMID',
    base_momentum=0.004,  # teacher EMA momentum 0.996 -> 1 (cosine over all iterations)
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        # MillionAID statistics (0.338, 0.361, 0.335) / (0.136, 0.135, 0.141) x 255
        mean=[86.19, 92.055, 85.425],
        std=[34.68, 34.425, 35.955],
        to_rgb=True),
    backbone=dict(type='CMIDResNet', depth=50, in_channels=3, out_indices=(3, ),
                  norm_cfg=dict(type='BN')),
    global_neck=dict(type='MoCoV2Neck', in_channels='auto', hid_channels=2048, out_channels=256,
                     with_avg_pool=True),
    global_head=dict(type='MoCoQueueHead', queue_len=65536, feat_dim=256, temperature=0.2,
                     loss=dict(type='CrossEntropyLoss')),
    local_neck=dict(type='CMIDLocalNeck', in_channels='auto', hid_channels=2048,
                    bottleneck_channels=256, out_channels=2048, with_bn='auto'),
    local_head=dict(type='CMIDLocalHead', out_channels=2048, num_pairs=20, student_temp=0.1,
                    teacher_temp=0.07, center_momentum=0.9),
    decoder=dict(type='CMIDLinearDecoder', in_channels='auto', encoder_stride='auto',
                 out_channels='auto'),
    rec_head=dict(
        type='CMIDReconstructionHead',
        loss_spatial=dict(type='FocalL1Loss', beta=0.2, gamma=1.0),
        loss_freq=dict(type='FocalFrequencyLoss', loss_weight=1.0, alpha=1.0, ave_spectrum=True,
                       log_matrix=True, batch_matrix=True)))
