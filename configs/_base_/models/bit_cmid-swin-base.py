# BIT with a CMID Swin-B (window 7): its first three stages (stride 16, 512 channels; the unused
# fourth stage is not built, so no parameter goes without a gradient), features upsampled 4x
# before BIT's 3x3 reduction conv to reach BIT's stride 4. Checkpoint: a CMID Swin-B training
# checkpoint of this repo (`backbone.*` = mmpretrain SwinTransformer keys).
_base_ = ['./bit_resnet18.py', '../datasets/millionaid_norm.py']

model = dict(
    # the normalisation CMID was pretrained with (MillionAID statistics, RGB)
    data_preprocessor=dict(mean=_base_.millionaid_mean, std=_base_.millionaid_std),
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch=dict(embed_dims=128, depths=[2, 2, 18], num_heads=[4, 8, 16]),
        img_size=256,
        window_size=7,
        pad_small_map=True,  # sliding windows / small tiles may give maps below 7x7
        out_indices=(2, ),
        drop_path_rate=0.2,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/cmid_swin-base_4xb64-adan-coslr-400e_millionaid/epoch_400.pth',
            prefix='backbone.')),
    decode_head=dict(in_channels=1024, pre_upsample=4))
