"""timm's Adan in mmengine's OPTIMIZERS, and the bf16 CPU autocast optim wrapper of `--amp` on CPU.

Registered as ``TimmAdan``: mmpretrain already registers its own ``Adan`` in its child registry,
which would shadow an ``Adan`` registered in mmengine's root registry under mmpretrain's scope.
"""
from mmengine.registry import OPTIMIZERS
from timm.optim import Adan

from .cpu_autocast_optim_wrapper import CPUAutocastOptimWrapper  # noqa: F401


class TimmAdan(Adan):
    """timm's ``Adan`` under the name it is registered with (the official CMID optimizer)."""


if 'TimmAdan' not in OPTIMIZERS.module_dict:
    OPTIMIZERS.register_module(module=TimmAdan)

__all__ = ['TimmAdan', 'CPUAutocastOptimWrapper']
