# BIT's 200-epoch linear schedule with AdamW for transformer backbones (no decay on norms and
# position tables, as mmseg's Swin recipes). The CMID Swin-B configs set the official CMID
# change-detection lr, 6e-5 (ChangeDetection/train.py), over this base's 1e-4.
_base_ = './cd_sgd-linear-200e.py'

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        custom_keys={
            'relative_position_bias_table': dict(decay_mult=0.),
            'absolute_pos_embed': dict(decay_mult=0.),
            'pos_embed': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.)
        }))
