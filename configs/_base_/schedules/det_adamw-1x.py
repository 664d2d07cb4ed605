# ./det_sgd-1x.py with the AdamW of mmdet's Swin configs (lr 1e-4, weight decay 0.05, none on
# position tables and norms), for the Swin-B detectors.
_base_ = './det_sgd-1x.py'

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        custom_keys=dict(
            absolute_pos_embed=dict(decay_mult=0.),
            relative_position_bias_table=dict(decay_mult=0.),
            norm=dict(decay_mult=0.))))
