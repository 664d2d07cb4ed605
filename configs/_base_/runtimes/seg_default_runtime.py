# mmseg's runtime (default_scope 'mmseg', SegLocalVisualizer) plus the cmid_mm plugin, whose
# segmentation pieces (CheckSameSize, AutoWidthEncoderDecoder, ...) register in mmseg's registries.
_base_ = 'mmseg::_base_/default_runtime.py'

custom_imports = dict(imports=['cmid_mm'], allow_failed_imports=False)
# a diverged run (NaN / inf loss) stops with one line instead of training on to a metric of 0
custom_hooks = [dict(type='FiniteLossHook')]
