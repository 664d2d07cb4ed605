"""Load multispectral rasters (GeoTIFF, JPEG2000, any GDAL format) for every OpenMMLab pipeline."""
import os.path as osp
from contextlib import contextmanager
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import rasterio
from mmcv.transforms import BaseTransform
from mmcv.transforms import LoadImageFromFile as _MMCVLoadImageFromFile
from mmpretrain.registry import TRANSFORMS
from rasterio.errors import RasterioError
from rasterio.windows import Window

# Decoded by mmcv/OpenCV exactly as ``LoadImageFromFile`` does (BGR channel order); every other
# extension is opened with rasterio.
OPENCV_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')
SCALE_MODES = (None, 'divisor', 'percentile', 'range')


class RasterReadError(ValueError):
    """A raster that cannot be used as asked (unreadable, too few bands, unknown band name)."""


@TRANSFORMS.register_module()
class LoadRSImageFromFile(BaseTransform):
    """Load a remote-sensing image as an (H, W, C) array, with a nodata mask.

    GDAL rasters (GeoTIFF, JPEG2000, ...; any extension not in ``OPENCV_EXTENSIONS``) are read
    with rasterio, in file band order; JPEG/PNG/BMP go through mmcv's ``LoadImageFromFile``
    (OpenCV, BGR order) so RGB datasets behave as before. Registered in the mmpretrain, mmseg and
    mmdet ``TRANSFORMS`` registries.

    Steps: select ``bands`` -> nodata mask -> scale -> fill nodata pixels with ``nodata_fill`` ->
    cast to ``dtype``.

    Scaling (``scale``):

    - ``None``: raw values.
    - ``'divisor'``: ``x / divisor`` (e.g. 10000 for Sentinel-2 L2A reflectance).
    - ``'percentile'``: per band, clip to the ``percentiles`` (low, high) of the image's valid
      pixels and map linearly to ``[0, out_max]``. Computed per image: use ``'range'`` for the
      same stretch across tiles / scenes.
    - ``'range'``: per band, clip to fixed ``value_range`` (one ``(low, high)`` for all bands,
      or one per band, e.g. the percentiles written by ``tools/analysis_tools/band_stats.py``) and map
      linearly to ``[0, out_max]``.

    Adds to ``results``: ``img`` (H, W, C); ``img_shape``, ``ori_shape``; ``nodata_mask``
    (H, W) bool, True where any selected band is nodata (GDAL's per-band masks: the raster's
    nodata value, internal masks, alpha; or the ``nodata`` given here; NaN always);
    ``img_crs`` (WKT or None) and ``img_transform`` (affine 6-tuple) for rasters. The mask is
    in the loaded image's frame: later geometric transforms do not update it, so for training
    put nodata into the labels' ignore index beforehand (as the multispectral demo does).

    If ``results['img_path']`` is a list (multi-temporal pairs for change detection), every path
    is loaded with the same rules and the bands are concatenated: date A bands then date B bands.

    Args:
        bands: bands to keep, in this order: 1-based indices (GDAL convention) or band
            descriptions (``'B04'``, case-insensitive). None keeps all.
        scale: one of ``None``, ``'divisor'``, ``'percentile'``, ``'range'`` (see above).
        divisor: for ``scale='divisor'``.
        percentiles: (low, high) percentiles for ``scale='percentile'``.
        value_range: (low, high), or one (low, high) per selected band, for ``scale='range'``.
        out_max: the top of the output range of ``'percentile'``/``'range'`` (1.0 or 255).
        dtype: ``'float32'``, ``'uint8'`` (rounded; values must fit) or None (keep the file's).
        nodata: nodata value overriding the raster's own (for files that do not declare it).
        nodata_fill: value written into nodata pixels after scaling.
        color_type, imdecode_backend, backend_args: passed to mmcv's loader for OpenCV files.
    """

    def __init__(self, bands: Optional[Sequence[Union[int, str]]] = None,
                 scale: Optional[str] = None, divisor: Optional[float] = None,
                 percentiles: Sequence[float] = (2., 98.),
                 value_range: Optional[Sequence] = None, out_max: float = 1.,
                 dtype: Optional[str] = 'float32', nodata: Optional[float] = None,
                 nodata_fill: float = 0., color_type: str = 'color',
                 imdecode_backend: str = 'cv2', backend_args: Optional[dict] = None):
        if scale not in SCALE_MODES:
            raise ValueError(f'LoadRSImageFromFile: scale must be one of {SCALE_MODES}, '
                             f'got {scale!r}')
        if scale == 'divisor' and not divisor:
            raise ValueError("LoadRSImageFromFile: scale='divisor' needs a non-zero divisor")
        if scale == 'range' and value_range is None:
            raise ValueError("LoadRSImageFromFile: scale='range' needs value_range")
        if scale == 'percentile' and not 0 <= percentiles[0] < percentiles[1] <= 100:
            raise ValueError(f'LoadRSImageFromFile: percentiles={percentiles} must be '
                             '0 <= low < high <= 100')
        if dtype not in (None, 'float32', 'uint8'):
            raise ValueError(f"LoadRSImageFromFile: dtype must be 'float32', 'uint8' or None, "
                             f'got {dtype!r}')
        if bands is not None:
            bands = list(bands)
            if not bands:
                raise ValueError('LoadRSImageFromFile: bands is empty (None keeps all bands)')
            for b in bands:
                if not isinstance(b, str) and not (isinstance(b, (int, np.integer)) and b >= 1):
                    raise ValueError(f'LoadRSImageFromFile: band {b!r} is neither a 1-based '
                                     'index nor a band name')
        self.bands = bands
        self.scale = scale
        self.divisor = divisor
        self.percentiles = tuple(percentiles)
        self.value_range = None if value_range is None else np.asarray(value_range, np.float64)
        self.out_max = float(out_max)
        self.dtype = dtype
        self.nodata = nodata
        self.nodata_fill = nodata_fill
        self._opencv = _MMCVLoadImageFromFile(color_type=color_type,
                                              imdecode_backend=imdecode_backend,
                                              backend_args=backend_args)

    # ---------------------------------------------------------------- pipeline entry point
    def transform(self, results: dict) -> dict:
        paths = results['img_path']
        if isinstance(paths, (list, tuple)):
            loaded = [self.load(p) for p in paths]
            for (img, _, _), path in zip(loaded[1:], paths[1:]):
                if img.shape[:2] != loaded[0][0].shape[:2]:
                    raise RasterReadError(
                        f'LoadRSImageFromFile: {paths[0]} is {loaded[0][0].shape[:2]} but '
                        f'{path} is {img.shape[:2]}; multi-date images must have the same size')
            img = np.concatenate([x[0] for x in loaded], axis=-1)
            mask = np.any([x[1] for x in loaded], axis=0)
            geo = loaded[0][2]
        else:
            img, mask, geo = self.load(paths)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        results['nodata_mask'] = mask
        results.update(geo)
        return results

    def load(self, path: str) -> Tuple[np.ndarray, np.ndarray, dict]:
        """``(img (H, W, C), nodata_mask (H, W), geo dict)`` of one file, with all rules applied."""
        if osp.splitext(path)[1].lower() in OPENCV_EXTENSIONS:
            img = self._load_opencv(path)
            mask = np.isnan(img).any(-1) if img.dtype.kind == 'f' else np.zeros(img.shape[:2], bool)
            return self.finish(img, mask, path), mask, dict(img_crs=None, img_transform=None)
        with self.open(path) as src:
            img, mask = self.read(src)
            geo = dict(img_crs=src.crs.to_wkt() if src.crs else None,
                       img_transform=tuple(src.transform)[:6])
        return img, mask, geo

    # ---------------------------------------------------------------- raster access (tools use it)
    @contextmanager
    def open(self, path: str):
        """Open ``path`` with rasterio, turning GDAL's errors into one message naming the file."""
        if '://' not in path and not path.startswith('/vsi') and not osp.isfile(path):
            raise FileNotFoundError(f'LoadRSImageFromFile: image file not found: {path}')
        try:
            src = rasterio.open(path)
        except RasterioError as e:
            raise RasterReadError(
                f'LoadRSImageFromFile: cannot read {path}: expected a GDAL raster (GeoTIFF, '
                f'JPEG2000, ...) or {"/".join(OPENCV_EXTENSIONS)} image; GDAL says: {e}') from None
        try:
            yield src
        finally:
            src.close()

    def band_indexes(self, src) -> List[int]:
        """The 1-based band indexes of ``src`` that ``bands`` selects."""
        if self.bands is None:
            return list(range(1, src.count + 1))
        names = [(d or '').lower() for d in src.descriptions]
        indexes = []
        for b in self.bands:
            if isinstance(b, str):
                if b.lower() not in names:
                    raise RasterReadError(
                        f'LoadRSImageFromFile: {src.name} has no band named {b!r} (its band '
                        f'descriptions: {list(src.descriptions)}); bands={self.bands}')
                indexes.append(names.index(b.lower()) + 1)
            else:
                if b > src.count:
                    raise RasterReadError(
                        f'LoadRSImageFromFile: {src.name} has {src.count} band(s), but '
                        f'bands={self.bands} asks for band {b} (expected at least '
                        f'{max(x for x in self.bands if not isinstance(x, str))} bands)')
                indexes.append(int(b))
        return indexes

    def read(self, src, window: Optional[Window] = None,
             value_range: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray]:
        """Read the selected bands of ``window`` (whole raster if None) with all rules applied.

        ``value_range`` (C, 2) overrides the stretch of ``'percentile'``/``'range'`` scaling, so
        tiled readers can use one stretch for a whole scene (see :meth:`scene_value_range`).
        """
        indexes = self.band_indexes(src)
        try:
            data = src.read(indexes, window=window)
            valid = src.read_masks(indexes, window=window) if self.nodata is None else None
        except RasterioError as e:
            raise RasterReadError(f'LoadRSImageFromFile: cannot read the pixels of {src.name} '
                                  f'(corrupt or truncated file?); GDAL says: {e}') from None
        img = np.ascontiguousarray(data.transpose(1, 2, 0))
        if valid is not None:
            mask = ~valid.astype(bool).all(0)
        else:
            mask = (data == self.nodata).any(0)
        if img.dtype.kind == 'f':
            mask |= np.isnan(img).any(-1)
        return self.finish(img, mask, src.name, value_range), mask

    def scene_value_range(self, src, max_size: int = 1024) -> Optional[np.ndarray]:
        """The per-band stretch of the whole raster, from a decimated read (bounded memory).

        Only ``'percentile'`` and ``'range'`` scaling have one; None otherwise.
        """
        if self.scale == 'range':
            return self._value_range(len(self.band_indexes(src)), src.name)
        if self.scale != 'percentile':
            return None
        f = max(1, int(np.ceil(max(src.height, src.width) / max_size)))
        shape = (max(1, src.height // f), max(1, src.width // f))
        indexes = self.band_indexes(src)
        data = src.read(indexes, out_shape=(len(indexes), *shape)).astype(np.float64)
        valid = src.read_masks(indexes, out_shape=(len(indexes), *shape)).astype(bool)
        if self.nodata is not None:
            valid = data != self.nodata
        data = data.transpose(1, 2, 0)
        return self._percentile_range(data, ~valid.all(0) | np.isnan(data).any(-1))

    # ---------------------------------------------------------------- scaling
    def finish(self, img: np.ndarray, mask: np.ndarray, path: str,
               value_range: Optional[np.ndarray] = None) -> np.ndarray:
        """Scale, fill nodata and cast an (H, W, C) image (``path`` only names it in errors)."""
        if self.scale is not None:
            img = img.astype(np.float32)
            if self.scale == 'divisor':
                img = img / np.float32(self.divisor)
            else:
                if value_range is None:
                    value_range = (self._percentile_range(img, mask) if self.scale == 'percentile'
                                   else self._value_range(img.shape[-1], path))
                lo, hi = value_range[:, 0], value_range[:, 1]
                img = (img - lo.astype(np.float32)) / np.maximum(hi - lo, 1e-12).astype(np.float32)
                img = np.clip(img, 0., 1.) * np.float32(self.out_max)
        if self.dtype == 'float32':
            img = img.astype(np.float32, copy=False)
        if mask.any():  # img is a fresh array here (read, cast or scaled): safe to write into
            img[mask] = self.nodata_fill
        if self.dtype == 'uint8' and img.dtype != np.uint8:
            img = np.rint(img)
            if img.size and (img.min() < 0 or img.max() > 255):
                raise RasterReadError(
                    f"LoadRSImageFromFile: dtype='uint8' but {path} has values in "
                    f'[{img.min()}, {img.max()}]; scale it first (scale=\'percentile\' or '
                    "'range' with out_max=255, or 'divisor')")
            img = img.astype(np.uint8)
        return img

    def _percentile_range(self, img: np.ndarray, mask: np.ndarray) -> np.ndarray:
        pixels = img[~mask].astype(np.float64)  # (valid pixels, C)
        if not len(pixels):
            return np.tile(np.array([[0., 1.]]), (img.shape[-1], 1))
        return np.percentile(pixels, self.percentiles, axis=0).T

    def _value_range(self, n_bands: int, path: str) -> np.ndarray:
        vr = self.value_range
        if vr.ndim == 1:
            vr = np.tile(vr[None], (n_bands, 1))
        if vr.shape != (n_bands, 2):
            raise RasterReadError(f'LoadRSImageFromFile: value_range has {len(vr)} (low, high) '
                                  f'pairs, but {path} gives {n_bands} band(s)')
        return vr

    def _load_opencv(self, path: str) -> np.ndarray:
        if self.bands is not None and any(isinstance(b, str) for b in self.bands):
            raise RasterReadError(f'LoadRSImageFromFile: {path} is read by OpenCV, which has no '
                                  f'band names; use 1-based indices in bands={self.bands}')
        try:
            img = self._opencv.transform(dict(img_path=path))['img']
        except (AssertionError, OSError, ValueError) as e:
            if isinstance(e, FileNotFoundError):
                raise FileNotFoundError(
                    f'LoadRSImageFromFile: image file not found: {path}') from None
            raise RasterReadError(f'LoadRSImageFromFile: cannot decode {path} as an image '
                                  f'({"/".join(OPENCV_EXTENSIONS)} via OpenCV): {e}') from None
        if img.ndim == 2:
            img = img[..., None]
        if self.bands is not None:
            if max(self.bands) > img.shape[-1]:
                raise RasterReadError(
                    f'LoadRSImageFromFile: {path} has {img.shape[-1]} channel(s), but '
                    f'bands={self.bands} asks for band {max(self.bands)}')
            img = img[..., [b - 1 for b in self.bands]]
        return img

    def __repr__(self):
        return (f'{self.__class__.__name__}(bands={self.bands}, scale={self.scale!r}, '
                f'dtype={self.dtype!r}, nodata={self.nodata})')


def _register_in_downstream_registries():
    """The same class in mmseg's and mmdet's TRANSFORMS, so their pipelines find it too."""
    from mmdet.registry import TRANSFORMS as MMDET_TRANSFORMS
    from mmseg.registry import TRANSFORMS as MMSEG_TRANSFORMS
    for registry in (MMSEG_TRANSFORMS, MMDET_TRANSFORMS):
        if 'LoadRSImageFromFile' not in registry.module_dict:
            registry.register_module(module=LoadRSImageFromFile)


_register_in_downstream_registries()
