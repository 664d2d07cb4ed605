"""Hooks and optimizers, registered in mmengine's registries."""
from . import optimizers  # noqa: F401
