# Official CMID fine-tuning schedule: Adan lr 3.125e-3, weight decay 0.02, 5 linear warm-up epochs
# (from 1 %), cosine to 1e-6, 200 epochs. The batch size of the official runs is not published;
# the lr here is for 64 images per step (auto_scale_lr rescales with --auto-scale-lr).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='TimmAdan', lr=3.125e-3, betas=(0.98, 0.92, 0.99), weight_decay=0.02))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=195, eta_min=1e-6, by_epoch=True, begin=5, end=200,
         convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64)
