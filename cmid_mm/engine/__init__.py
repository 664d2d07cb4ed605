"""Training hooks (in mmpretrain's HOOKS), timm's Adan as ``TimmAdan`` (in mmengine's
OPTIMIZERS) and, in ``step_benchmark``, the timing of a pretraining step."""
from . import hooks, optimizers  # noqa: F401
