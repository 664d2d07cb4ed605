# UperNet + MultiLevelNeck on ISPRS Potsdam (mmseg's dataset config + size check, 512x512 crops)
# from a CMID ViT-B/16; AdamW recipe of mmseg's ViT configs.
_base_ = [
    '../_base_/models/upernet_vit-base-p16.py', '../_base_/datasets/potsdam_6class.py',
    '../_base_/runtimes/seg_default_runtime.py', '../_base_/schedules/seg_adamw-poly-80k.py'
]
model = dict(data_preprocessor=dict(size=_base_.crop_size),  # the dataset base's crops
             decode_head=dict(num_classes=6), auxiliary_head=dict(num_classes=6))
# no weight decay on position / class embeddings and norms (mmpretrain's ViT names its norms
# ln1 / ln2 / pre_norm)
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys=dict(
            pos_embed=dict(decay_mult=0.), cls_token=dict(decay_mult=0.),
            norm=dict(decay_mult=0.), ln=dict(decay_mult=0.))))
