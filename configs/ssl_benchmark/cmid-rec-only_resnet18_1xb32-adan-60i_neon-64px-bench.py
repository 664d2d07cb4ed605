# Equal-budget SSL benchmark (./README.md): CMID's masked reconstruction alone (no teacher).
_base_ = './cmid_resnet18_1xb32-adan-60i_neon-64px-bench.py'

model = dict(global_neck=None, global_head=None, local_neck=None, local_head=None)
default_hooks = dict(teacher_temp=dict(module_name=None))  # no local head to warm up
