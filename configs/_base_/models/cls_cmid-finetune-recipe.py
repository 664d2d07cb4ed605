# The official CMID fine-tuning recipe for scene classification: label smoothing 0.1, Mixup 0.8,
# CutMix 1.0 (mmpretrain's Swin-B model base carries the same already).
cmid_finetune_head = dict(loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
                          topk=(1, ))
cmid_finetune_train_cfg = dict(
    augments=[dict(type='Mixup', alpha=0.8), dict(type='CutMix', alpha=1.0)])
