from .cmid import CMID, fill_masked_with_mean

__all__ = ['CMID', 'fill_masked_with_mean']
