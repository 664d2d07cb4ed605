# The CMID Swin-B backbone of the detection model bases (./faster-rcnn_swin-base_fpn.py,
# ./oriented-rcnn_swin-base_fpn.py): mmpretrain's Swin-B, window 7, 1024 px, all four stages
# (128-1024 channels into the FPN), replacing their ResNet-50.
cmid_swin_base_backbone = dict(
    type='mmpretrain.SwinTransformer',
    arch='base',
    img_size=1024,
    window_size=7,
    drop_path_rate=0.2,
    out_indices=(0, 1, 2, 3),
    pad_small_map=True,
    init_cfg=dict(
        type='Pretrained',
        checkpoint='work_dirs/cmid_swin-base_4xb64-adan-coslr-400e_millionaid/epoch_400.pth',
        prefix='backbone.'))
swin_base_fpn_in_channels = [128, 256, 512, 1024]
