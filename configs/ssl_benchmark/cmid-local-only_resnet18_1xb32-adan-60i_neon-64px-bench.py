# Equal-budget SSL benchmark (./README.md): CMID's local branch alone (position-matched
# DINO-style distillation of the masked student's cells), no global branch, no reconstruction.
_base_ = './cmid_resnet18_1xb32-adan-60i_neon-64px-bench.py'

model = dict(global_neck=None, global_head=None, decoder=None, rec_head=None)
