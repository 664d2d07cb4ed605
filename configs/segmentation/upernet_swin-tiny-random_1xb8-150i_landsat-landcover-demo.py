# One-line backbone swap: the auto-width land-cover demo on a randomly initialised Swin-T. The head
# widths (96, 192, 384, 768) come from the backbone; nothing else changes.
_base_ = './upernet_cmid-resnet18-auto-width_1xb8-150i_landsat-landcover-demo.py'

model = dict(backbone=dict(_delete_=True, type='mmpretrain.SwinTransformer', arch='tiny',
                           img_size=128, out_indices=(0, 1, 2, 3), pad_small_map=True))
