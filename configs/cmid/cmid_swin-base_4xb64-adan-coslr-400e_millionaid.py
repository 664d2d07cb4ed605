# Swin-B (window 7, 224): 1024-d last stage, mask token after patch embedding, no BN in heads.
_base_ = './cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py'

model = dict(
    backbone=dict(_delete_=True, type='CMIDSwinTransformer', arch='base', img_size=224,
                  out_indices=(3, ), drop_path_rate=0.),  # official: no drop-path
    global_neck=dict(in_channels=1024),
    local_neck=dict(in_channels=1024, with_bn=False),
    decoder=dict(in_channels=1024))
