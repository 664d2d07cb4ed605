"""Hooks and optimizers, registered in mmengine's / mmpretrain's registries."""
from . import hooks, optimizers  # noqa: F401
