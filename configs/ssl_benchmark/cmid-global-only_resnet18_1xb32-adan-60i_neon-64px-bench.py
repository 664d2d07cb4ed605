# Equal-budget SSL benchmark (./README.md): CMID's global branch alone (MoCo-style InfoNCE of a
# block-masked student against an EMA teacher's queue), no local distillation, no reconstruction.
_base_ = './cmid_resnet18_1xb32-adan-60i_neon-64px-bench.py'

model = dict(local_neck=None, local_head=None, decoder=None, rec_head=None)
default_hooks = dict(teacher_temp=dict(module_name=None))  # no local head to warm up
