# Equal-budget SSL benchmark (./README.md): full CMID, the 64 px CPU recipe
# (../cmid/cpu_recipe.md) cut to the benchmark's budget. Every config of this folder inherits
# from this one: same data (422 unlabelled NEON 128 px tiles), ResNet-18, the same two 64 px
# views (CMIDTwoViews: crop 0.3-1, h/v flips, photometric jitter on the second view), batch 32,
# Adan lr 5e-4 with the same schedule, 60 iterations = 1,920 images seen (4.5 epochs).
_base_ = '../cmid/cmid_resnet18_1xb32-adan-500i_neon-64px.py'

max_iters = 60
warmup_iters = 6
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', T_max=max_iters - warmup_iters, eta_min=1e-6, by_epoch=False,
         begin=warmup_iters, end=max_iters),
]
train_cfg = dict(max_iters=max_iters)
# whole batches only (every step sees 32 images): MoCo's queue takes only batches dividing it
train_dataloader = dict(drop_last=True)
# one weights-only checkpoint at the end: the benchmark reads student_backbone_last.pth
default_hooks = dict(checkpoint=dict(interval=max_iters, max_keep_ckpts=1, save_optimizer=False))
