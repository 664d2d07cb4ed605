# Ablation: global branch alone (MoCo v2 with a masked student).
_base_ = './cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py'

model = dict(local_neck=None, local_head=None, decoder=None, rec_head=None)
default_hooks = dict(teacher_temp=dict(module_name=None))  # no local head to warm up
