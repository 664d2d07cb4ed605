# Adan (timm's), lr 1e-3 per 64 images -> 4e-3 for 4 GPUs x 64, wd 0.02, 10 linear warm-up epochs,
# cosine to 1e-6, 400 epochs. The paper trains with mixed precision: add --amp on GPUs.
# No weight decay on biases, norm layers and every other 1-D parameter, as the official timm
# builder (filter_bias_and_bn=True; the official model lists no extra names). The mask token,
# position embeddings and Swin's relative position tables are not 1-D: decayed there and here.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='TimmAdan', lr=4e-3, betas=(0.98, 0.92, 0.99), weight_decay=0.02),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=390, eta_min=1e-6, by_epoch=True, begin=10, end=400,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=400)
# lr above is for 256 images per step; with auto_scale_lr.enable=True (--cfg-options) mmengine
# scales it to the real total batch.
auto_scale_lr = dict(base_batch_size=256)
