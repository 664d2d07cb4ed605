from .cmid import CMID, disable_dropout, fill_masked_with_mean

__all__ = ['CMID', 'disable_dropout', 'fill_masked_with_mean']
