"""GeoTIFF writers for raster tests."""
import numpy as np
import rasterio
from rasterio.transform import from_origin

CRS = 'EPSG:32633'
TRANSFORM = from_origin(500000.0, 4650000.0, 10.0, 10.0)


def write_raster(path, data, nodata=None, descriptions=None, crs=CRS, transform=TRANSFORM,
                 **creation_options):
    """A GeoTIFF of ``data`` (C, H, W), in its dtype (``creation_options``: GDAL's, e.g.
    ``photometric='RGB'``)."""
    data = np.asarray(data)
    with rasterio.open(path, 'w', driver='GTiff', height=data.shape[1], width=data.shape[2],
                       count=data.shape[0], dtype=data.dtype, nodata=nodata, crs=crs,
                       transform=transform, **creation_options) as dst:
        dst.write(data)
        if descriptions:
            dst.descriptions = tuple(descriptions)
    return str(path)
