# mmpretrain's runtime with the cmid_mm plugin; scene classification keeps the best and the last
# two checkpoints (mmpretrain's default saves every epoch).
_base_ = '../default_runtime.py'

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=2, save_best='auto'))
