# mmseg's 80k-iteration schedule with the AdamW recipe of its Swin / ViT configs: lr 6e-5, weight
# decay 0.01, 1500 linear warm-up iterations, then linear decay to 0. The leaves add the
# backbone's no-decay parameters (paramwise_cfg).
_base_ = 'mmseg::_base_/schedules/schedule_80k.py'

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=6e-5, betas=(0.9, 0.999), weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=80000, by_epoch=False),
]
