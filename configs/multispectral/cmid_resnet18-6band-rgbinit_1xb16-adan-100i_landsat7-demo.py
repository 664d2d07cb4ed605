# The 6-band CMID demo continued from an RGB CMID checkpoint (`make demo`'s NEON run): the RGB
# stem filters go to bands red, green, blue (channels 2, 1, 0), the other 3 bands get 3/6 x their
# mean filter (AdaptInputBands; rule in configs/multispectral/README.md).
_base_ = './cmid_resnet18-6band_1xb16-adan-100i_landsat7-demo.py'

model = dict(
    init_cfg=dict(type='AdaptInputBands', rgb_bands=(2, 1, 0)),
    backbone=dict(init_cfg=dict(type='Pretrained', prefix='backbone.',
                                checkpoint='work_dirs/demo/cmid_pretrain/iter_500.pth')))
