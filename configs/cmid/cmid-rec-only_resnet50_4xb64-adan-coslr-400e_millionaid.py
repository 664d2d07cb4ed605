# Ablation: masked reconstruction alone (no teacher is built).
_base_ = './cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py'

model = dict(global_neck=None, global_head=None, local_neck=None, local_head=None)
default_hooks = dict(teacher_temp=dict(module_name=None))  # no local head to warm up
