# Ablation: local (position-matched DINO) branch alone.
_base_ = './cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py'

model = dict(global_neck=None, global_head=None, decoder=None, rec_head=None)
