# Baseline for cmid_vit-base-p16_1xb64-adan-coslr-200e_ucmerced-8-2.py:
# only the backbone initialisation differs.
# MAE on ImageNet-1k, 400 epochs (mmpretrain zoo mae_vit-base-p16_8xb512-amp-coslr-400e_in1k).
_base_ = './cmid_vit-base-p16_1xb64-adan-coslr-200e_ucmerced-8-2.py'

model = dict(backbone=dict(init_cfg=dict(
    checkpoint='https://download.openmmlab.com/mmselfsup/1.x/mae/mae_vit-base-p16_8xb512-fp16-coslr-400e_in1k/mae_vit-base-p16_8xb512-coslr-400e-fp16_in1k_20220825-bc79e40b.pth')))  # noqa: E501
