# mmdet's runtime (default_scope 'mmdet', DetLocalVisualizer) plus the cmid_mm plugin, whose
# detection datasets, metrics and rotated-box modules register in mmdet's registries.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['cmid_mm'], allow_failed_imports=False)
# a diverged run (NaN / inf loss) stops with one line instead of training on to a metric of 0
custom_hooks = [dict(type='FiniteLossHook')]
