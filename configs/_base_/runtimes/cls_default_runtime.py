# mmpretrain's runtime (hooks, logging, visualiser) plus the cmid_mm plugin. The runtimes/ bases
# are the one place that imports cmid_mm, so that mim and the packaged mmpretrain / mmseg / mmdet
# train scripts find the plugin's modules. Scene classification keeps the best and the last two
# checkpoints (mmpretrain's default saves every epoch).
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['cmid_mm'], allow_failed_imports=False)
# a diverged run (NaN / inf loss) stops with one line instead of training on to a metric of 0
custom_hooks = [dict(type='FiniteLossHook')]
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=2, save_best='auto'))
