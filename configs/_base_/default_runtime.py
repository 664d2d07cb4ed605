# The CMID pretraining runtime: ./runtimes/cls_default_runtime.py (mmpretrain's runtime with the
# cmid_mm plugin) without a best checkpoint, which needs a validation that pretraining has not.
_base_ = './runtimes/cls_default_runtime.py'

default_hooks = dict(checkpoint=dict(save_best=None))
