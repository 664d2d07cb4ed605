# Baseline for cmid_swin-base_1xb64-adan-coslr-200e_ucmerced-8-2.py:
# only the backbone initialisation differs.
# Random initialisation (the classifier's TruncNormal / LayerNorm init).
_base_ = './cmid_swin-base_1xb64-adan-coslr-200e_ucmerced-8-2.py'

model = dict(backbone=dict(init_cfg=None))
