"""Weight initializers, in mmengine's WEIGHT_INITIALIZERS (found from every library's scope)."""
from .adapt_input_bands import AdaptInputBandsInit

__all__ = ['AdaptInputBandsInit']
