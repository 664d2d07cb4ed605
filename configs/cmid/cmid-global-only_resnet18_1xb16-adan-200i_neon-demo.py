# Ablation of the CPU demo at the same budget: CMID's global branch alone (MoCo v2 with a
# block-masked student and an EMA teacher), no local distillation, no reconstruction.
_base_ = './cmid_resnet18_1xb16-adan-200i_neon-demo.py'

model = dict(local_neck=None, local_head=None, decoder=None, rec_head=None)
default_hooks = dict(teacher_temp=dict(module_name=None))  # no local head to warm up
