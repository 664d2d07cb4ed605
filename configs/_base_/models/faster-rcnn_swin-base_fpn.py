# ./faster-rcnn_resnet50_fpn.py with a CMID Swin-B backbone (mmpretrain, window 7, 1024 px, all
# four stages: 128-1024 channels into the FPN).
_base_ = './faster-rcnn_resnet50_fpn.py'

cmid_checkpoint = 'work_dirs/cmid_swin-base_4xb64-adan-coslr-400e_millionaid/epoch_400.pth'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='base',
        img_size=1024,
        window_size=7,
        drop_path_rate=0.2,
        out_indices=(0, 1, 2, 3),
        pad_small_map=True,
        init_cfg=dict(type='Pretrained', checkpoint=cmid_checkpoint, prefix='backbone.')),
    neck=dict(in_channels=[128, 256, 512, 1024]))
