from .checked_loading import CheckedLoadImageFromFile, CheckSameSize, ImageFileError
from .cmid_views import CMIDTwoViews
from .noise import RandomGaussianNoise

__all__ = [
    'CheckedLoadImageFromFile', 'CheckSameSize', 'ImageFileError', 'CMIDTwoViews',
    'RandomGaussianNoise'
]
