# Linear probing as mmpretrain's MoCo v3 ResNet-50 benchmark (SGD, no weight decay, cosine),
# lr 0.4 per 1024 images scaled to 64; 100 epochs for the small RS scene sets.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.025, momentum=0.9, weight_decay=0.))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=100, by_epoch=True, begin=0, end=100)]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=10)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=64)
