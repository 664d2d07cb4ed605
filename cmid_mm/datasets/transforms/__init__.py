from .checked_loading import CheckedLoadImageFromFile, CheckSameSize, ImageFileError
from .cmid_views import CMIDTwoViews
from .load_rs_image import LoadRSImageFromFile, RasterReadError
from .noise import RandomGaussianNoise
from .raster_reader import OpenRaster, RasterReader, find_image_loader

__all__ = [
    'CheckedLoadImageFromFile', 'CheckSameSize', 'ImageFileError', 'CMIDTwoViews',
    'RandomGaussianNoise', 'LoadRSImageFromFile', 'RasterReadError', 'RasterReader',
    'OpenRaster', 'find_image_loader'
]
