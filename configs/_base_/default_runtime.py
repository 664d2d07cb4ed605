# mmpretrain's runtime (hooks, logging, visualiser) plus the cmid_mm plugin.
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['cmid_mm'], allow_failed_imports=False)
