"""cmid_mm: CMID self-supervised pretraining for remote sensing, as an OpenMMLab plugin.

``import cmid_mm`` (or ``custom_imports = dict(imports=['cmid_mm'])`` in a config) registers every
module into the registries of the library that uses it (mmpretrain for pretraining/classification),
makes mmengine's checkpoint loading work under torch's ``weights_only=True`` and its
checkpoint saving atomic.
"""
from .checkpoint import (register_atomic_checkpointing, register_checkpoint_safe_globals,
                         register_safe_local_loader)
from .version import __version__  # noqa: F401

register_checkpoint_safe_globals()
register_safe_local_loader()
register_atomic_checkpointing()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from . import change_detection  # noqa: E402,F401
from . import detection  # noqa: E402,F401
