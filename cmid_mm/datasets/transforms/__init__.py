from .checked_loading import CheckedLoadImageFromFile, CheckSameSize, ImageFileError
from .cmid_views import CMIDTwoViews
from .load_rs_image import LoadRSImageFromFile
from .noise import RandomGaussianNoise

__all__ = [
    'CheckedLoadImageFromFile', 'CheckSameSize', 'ImageFileError', 'CMIDTwoViews',
    'RandomGaussianNoise', 'LoadRSImageFromFile'
]
