# The CMID land-cover demo with widths read from the backbone (`AutoWidthEncoderDecoder`, see
# configs/_base_/models/upernet_auto-width.py): the same model, and a backbone swap is one line
# (upernet_swin-tiny-random_1xb8-150i_landsat-landcover-demo.py).
_base_ = './upernet_cmid-resnet18_1xb8-150i_landsat-landcover-demo.py'

model = dict(type='AutoWidthEncoderDecoder', decode_head=dict(in_channels='auto'))
