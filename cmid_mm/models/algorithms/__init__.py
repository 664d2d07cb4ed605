from .cmid import CMID, disable_dropout

__all__ = ['CMID', 'disable_dropout']
