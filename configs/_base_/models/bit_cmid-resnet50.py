# BIT with a CMID ResNet-50 (the CMID paper's change-detection setting): layers 1-3, layer3
# dilated (stride 8, 1024 channels). The checkpoint is a CMID training checkpoint of this repo
# (its `backbone.*` keys are the student ResNet-50's); see configs/change_detection/README.md.
_base_ = ['./bit_resnet18.py', '../datasets/millionaid_norm.py']

model = dict(
    # the normalisation CMID was pretrained with (MillionAID statistics, RGB)
    data_preprocessor=dict(mean=_base_.millionaid_mean, std=_base_.millionaid_std),
    backbone=dict(
        depth=50,
        init_cfg=dict(
            checkpoint='work_dirs/cmid_resnet50_4xb64-adan-coslr-400e_millionaid/epoch_400.pth')),
    decode_head=dict(in_channels=2048))
