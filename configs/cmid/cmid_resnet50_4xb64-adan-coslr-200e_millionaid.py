# The schedule of the official release (200 epochs).
_base_ = './cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py'

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=190, eta_min=1e-6, by_epoch=True, begin=10, end=200,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=200)
