# ./oriented-rcnn_sgd-1x.py (the paper's 1x schedule and gradient clipping) with the AdamW of
# mmdet's Swin configs, for the Swin-B Oriented R-CNN.
_base_ = './oriented-rcnn_sgd-1x.py'

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=35, norm_type=2),
    paramwise_cfg=dict(
        custom_keys=dict(
            absolute_pos_embed=dict(decay_mult=0.),
            relative_position_bias_table=dict(decay_mult=0.),
            norm=dict(decay_mult=0.))))
