"""timm's Adan in mmengine's OPTIMIZERS.

Registered as ``TimmAdan``: mmpretrain already registers its own ``Adan`` in its child registry,
which would shadow an ``Adan`` registered in mmengine's root registry under mmpretrain's scope.
"""
from mmengine.registry import OPTIMIZERS
from timm.optim import Adan

if 'TimmAdan' not in OPTIMIZERS.module_dict:
    OPTIMIZERS.register_module(name='TimmAdan', module=Adan)

__all__ = ['Adan']
