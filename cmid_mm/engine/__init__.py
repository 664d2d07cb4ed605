"""Hooks and optimizers, registered in mmengine's registries."""
from . import optimizers  # noqa: F401
from .atomic_checkpoint import atomic_write, register_atomic_checkpointing

register_atomic_checkpointing()
from . import initializers  # noqa: F401,E402
from . import hooks  # noqa: F401,E402
