# ViT-B/16 (not in the official code): 14x14 cells at stride 16, SimMIM-style mask token.
_base_ = './cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py'

model = dict(
    backbone=dict(_delete_=True, type='CMIDVisionTransformer', arch='base', img_size=224,
                  patch_size=16, drop_path_rate=0.),  # as the official Swin-B: no drop-path
    global_neck=dict(in_channels=768),
    local_neck=dict(in_channels=768, with_bn=False),
    local_head=dict(num_pairs=80),  # ~41 % of the 196 cells, as 20 of 49 at stride 32
    decoder=dict(in_channels=768, encoder_stride=16))
