# UperNet (mmseg) whose head widths follow the backbone: `AutoWidthEncoderDecoder` reads the
# backbone's per-stage channels and fills every `in_channels='auto'`, so a backbone swap is the
# backbone line alone. ResNet-50 here, as `upernet_resnet50.py`.
_base_ = './upernet_resnet50.py'

model = dict(
    type='AutoWidthEncoderDecoder',
    decode_head=dict(in_channels='auto'),  # the 4 stages UperHead reads (in_index 0-3)
    auxiliary_head=dict(in_channels='auto'))  # stage in_index=2
