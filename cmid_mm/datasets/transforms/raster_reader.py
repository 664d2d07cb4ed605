"""Read windows of a large raster exactly as a pipeline's image loading transform reads a file.

Tools that tile a whole scene (``tools/infer_scene.py``) cannot run the loading transform on a
scene that does not fit in memory, and must not guess: an RGB model trained through mmcv's
``LoadImageFromFile`` saw B, G, R (OpenCV order), a multispectral one through
``LoadRSImageFromFile`` saw the file's band order, selected and scaled. :class:`RasterReader`
takes the config's loading transform and gives, for any window of a scene, the array that
transform would have produced for that part of the image: same band order, dtype and scaling.
What it cannot reproduce exactly it refuses, with one line naming the transform and the fix.
"""
import inspect
import os.path as osp
import warnings
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import rasterio
from rasterio.errors import RasterioError
from rasterio.windows import Window

from .load_rs_image import OPENCV_EXTENSIONS, LoadRSImageFromFile, RasterReadError

# mmcv-style loaders: mmcv's LoadImageFromFile and cmid_mm's CheckedLoadImageFromFile
MMCV_LOADERS = ('LoadImageFromFile', 'CheckedLoadImageFromFile')
PAIR_LOADERS = ('LoadImagePairFromFile', )
SUPPORTED = MMCV_LOADERS + ('LoadRSImageFromFile', ) + PAIR_LOADERS
COLOR_TYPES = ('color', 'color_ignore_orientation')
GRAY_TYPES = ('grayscale', 'grayscale_ignore_orientation')
# dtypes OpenCV keeps with IMREAD_UNCHANGED (for PNG / TIFF)
UNCHANGED_DTYPES = ('uint8', 'uint16', 'float32')


def _type_name(cfg: dict) -> str:
    return str(cfg.get('type', '')).split('.')[-1]


def _is_image_loader(name: str) -> bool:
    return 'Load' in name and 'Image' in name


def find_image_loader(pipeline: Sequence[dict]) -> Optional[dict]:
    """The first image loading transform of ``pipeline`` (a type with ``Load`` and ``Image`` in
    its name), with a pair loader's ``loader`` unwrapped (its default if not given); None if
    there is none. Unsupported loaders are returned too: :class:`RasterReader` names them."""
    for t in pipeline or []:
        if not isinstance(t, dict) or not _is_image_loader(_type_name(t)):
            continue
        if _type_name(t) in PAIR_LOADERS:
            inner = t.get('loader')
            if inner is None:
                from cmid_mm.change_detection import LoadImagePairFromFile
                inner = inspect.signature(LoadImagePairFromFile).parameters['loader'].default
            if _type_name(inner) in PAIR_LOADERS:
                raise RasterReadError(f'{_type_name(t)}: its loader is itself a pair loader '
                                      f'({inner}); give it a single-image loader')
            return dict(inner)
        return dict(t)
    return None


class RasterReader:
    """Windows of rasters, read as the loading transform ``loader`` (a config dict) reads files.

    Supported transforms, each mirrored exactly:

    - ``LoadRSImageFromFile``: its own windowed reads (band selection, nodata, scaling, dtype);
      a ``'percentile'`` stretch is computed once per scene (:meth:`LoadRSImageFromFile.
      scene_value_range`), the tiled equivalent of its per-image stretch.
    - mmcv's ``LoadImageFromFile`` and ``CheckedLoadImageFromFile`` (OpenCV decoding):
      ``color_type='color'``: 8-bit, 1 band -> three equal bands, 3 bands -> reversed (the file's
      R, G, B become B, G, R, as OpenCV decodes an RGB image); ``'grayscale'``: 8-bit, 1 band;
      ``'unchanged'`` (also ``CheckedLoadImageFromFile(expected_channels=...)``, which decodes
      unchanged): uint8 / uint16 / float32 kept, 1 band, or 3 bands reversed; ``to_float32``
      casts to float32. Other band counts or dtypes (which OpenCV converts, drops or cannot
      read) are refused.
    - ``LoadImagePairFromFile(loader=...)``: its single-image loader, for each date.

    Files in ``OPENCV_EXTENSIONS`` (PNG, JPEG, ...) have no windowed access: they are decoded
    whole by the transform itself and served from memory. Every other file is read window by
    window with rasterio.

    Args:
        loader: the loading transform's config dict (see :func:`find_image_loader`).
        bands: 1-based indices or band names overriding ``LoadRSImageFromFile``'s ``bands``;
            for mmcv loaders, the bands of a GDAL raster that stand for the file's bands (e.g.
            ``[1, 2, 3]``: bands 1-3 of a 4-band R, G, B, NIR scene are read as an RGB file).

    Raises:
        RasterReadError: one line naming the transform and the fix, for a transform or an image
            that cannot be read exactly as that transform would.
    """

    def __init__(self, loader: dict, bands: Optional[Sequence[Union[int, str]]] = None):
        self.cfg = {k: v for k, v in dict(loader).items() if k != 'type'}
        self.name = _type_name(loader)
        self.bands = None if bands is None else list(bands)
        if self.name not in SUPPORTED:
            raise RasterReadError(
                f'{self.name}: whole-scene reading does not know how this transform reads '
                f'images, so it cannot feed the model what it was trained on; use one of '
                f'{", ".join(SUPPORTED)} as the first loading transform of the test pipeline')
        if self.name in PAIR_LOADERS:
            raise RasterReadError(f'{self.name}: pass its loader (find_image_loader unwraps it)')
        if self.name == 'LoadRSImageFromFile':
            kwargs = dict(self.cfg)
            if self.bands is not None:
                kwargs['bands'] = self.bands
            self.rs = LoadRSImageFromFile(**kwargs)
            return
        self.rs = None
        self.expected_channels = self.cfg.get('expected_channels')
        self.flag = 'unchanged' if self.expected_channels else self.cfg.get('color_type',
                                                                             'color')
        self.to_float32 = bool(self.cfg.get('to_float32', False))
        self.min_size = self.cfg.get('min_size')
        if self.flag not in COLOR_TYPES + GRAY_TYPES + ('unchanged', ):
            raise RasterReadError(f'{self.describe()}: unknown color_type {self.flag!r}')
        if self.bands is not None and any(not isinstance(b, (int, np.integer)) or b < 1
                                          for b in self.bands):
            raise RasterReadError(f'{self.describe()}: bands={self.bands} must be 1-based '
                                  'band indices')

    def describe(self) -> str:
        args = ', '.join(f'{k}={v!r}' for k, v in self.cfg.items() if k != 'backend_args')
        return f'{self.name}({args})'

    def open(self, path: str) -> 'OpenRaster':
        """Open ``path``; the caller closes it (or uses ``with``)."""
        return OpenRaster(self, path)

    # ------------------------------------------------------------ the mmcv / OpenCV rules
    def mmcv_band_plan(self, count: int, dtype: str, name: str) -> Tuple[List[int], int]:
        """``(1-based file bands in output order, number of output copies)`` for a raster of
        ``count`` bands of ``dtype``, as the mmcv loader decodes it; refuses the rest."""
        indexes = list(range(1, count + 1)) if self.bands is None else [int(b) for b in
                                                                          self.bands]
        if max(indexes) > count:
            raise RasterReadError(f'{name} has {count} band(s), but bands={self.bands} asks for '
                                  f'band {max(indexes)}')
        n = len(indexes)
        what = f'{self.describe()} cannot be mirrored on {name} ({n} band(s), {dtype})'
        if self.expected_channels and n != self.expected_channels:
            raise RasterReadError(f'{what}: it expects {self.expected_channels} band(s); pick '
                                  'them with --bands or use a scene with that many')
        if self.cfg.get('imdecode_backend', 'cv2') != 'cv2':
            raise RasterReadError(f'{what}: only imdecode_backend=\'cv2\' is mirrored for GDAL '
                                  f'rasters; use cv2 or LoadRSImageFromFile')
        if self.flag in COLOR_TYPES + GRAY_TYPES and dtype != 'uint8':
            raise RasterReadError(f"{what}: color_type={self.flag!r} decodes 8-bit images only "
                                  "(OpenCV converts the rest); use color_type='unchanged' or "
                                  'LoadRSImageFromFile with a scale')
        if self.flag == 'unchanged' and dtype not in UNCHANGED_DTYPES:
            raise RasterReadError(f'{what}: OpenCV keeps only {"/".join(UNCHANGED_DTYPES)}; '
                                  'use LoadRSImageFromFile')
        allowed = (1, ) if self.flag in GRAY_TYPES else (1, 3)
        if n not in allowed:
            raise RasterReadError(
                f'{what}: it reads {" or ".join(map(str, allowed))}-band images exactly; pick '
                f'bands with --bands (e.g. --bands 1 2 3 for R, G, B) or use LoadRSImageFromFile '
                f'(any band count) in the config')
        if n == 3:
            return indexes[::-1], 1  # OpenCV order: the file's R, G, B become B, G, R
        return indexes, 3 if self.flag in COLOR_TYPES else 1

    def decode_whole(self, path: str) -> Tuple[np.ndarray, np.ndarray]:
        """An OpenCV-format file through the transform itself: ``(img (H, W, C), mask)``."""
        if self.rs is not None:
            img, mask, _ = self.rs.load(path)
            return img, mask
        if self.bands is not None:
            raise RasterReadError(f'{path} is decoded whole by {self.describe()}, which has no '
                                  'band selection; drop --bands')
        from mmcv.transforms import TRANSFORMS
        loader = TRANSFORMS.build(dict(type=self.name, **self.cfg))
        out = loader(dict(img_path=path))
        if out is None:
            raise RasterReadError(f'{self.describe()} could not read {path}')
        img = out['img'] if out['img'].ndim == 3 else out['img'][..., None]
        mask = np.isnan(img).any(-1) if img.dtype.kind == 'f' else np.zeros(img.shape[:2], bool)
        return img, mask


class OpenRaster:
    """One opened scene: ``width``, ``height``, ``crs``, ``transform``, :meth:`read`."""

    def __init__(self, reader: RasterReader, path: str):
        self.reader, self.path = reader, path
        self.src, self.whole, self.value_range = None, None, None
        if osp.splitext(path)[1].lower() in OPENCV_EXTENSIONS:
            self.whole = reader.decode_whole(path)
            self.height, self.width = self.whole[0].shape[:2]
            self.crs, self.transform = None, rasterio.Affine.identity()
            try:  # a world file / .aux.xml may georeference it
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore', rasterio.errors.NotGeoreferencedWarning)
                    with rasterio.open(path) as src:
                        if (src.width, src.height) == (self.width, self.height):
                            self.crs, self.transform = src.crs, src.transform
            except RasterioError:
                pass
        else:
            opener = reader.rs or LoadRSImageFromFile()
            self._cm = opener.open(path)
            try:
                self.src = self._cm.__enter__()
            except (FileNotFoundError, RasterReadError) as e:  # name the config's transform
                if reader.rs is not None:
                    raise
                raise type(e)(str(e).replace('LoadRSImageFromFile', reader.name, 1)) from None
            self.height, self.width = self.src.height, self.src.width
            self.crs, self.transform = self.src.crs, self.src.transform
            if reader.rs is not None:
                reader.rs.band_indexes(self.src)  # unknown band names fail here, not mid-scene
                self.value_range = reader.rs.scene_value_range(self.src)
            else:
                self.plan = reader.mmcv_band_plan(self.src.count, self.src.dtypes[0], path)
        min_size = getattr(reader, 'min_size', None)
        if min_size and min(self.height, self.width) < min_size:
            raise RasterReadError(f'{path}: {self.width}x{self.height} px is smaller than '
                                  f'{reader.describe()} accepts (min_size={min_size})')

    def read(self, window: Window) -> Tuple[np.ndarray, np.ndarray]:
        """``(img (h, w, C), nodata mask (h, w))`` of ``window``, as the transform reads it."""
        if self.whole is not None:
            rows, cols = window.toslices()
            return self.whole[0][rows, cols], self.whole[1][rows, cols]
        if self.reader.rs is not None:
            return self.reader.rs.read(self.src, window, self.value_range)
        indexes, copies = self.plan
        try:
            data = self.src.read(indexes, window=window)
            valid = self.src.read_masks(indexes, window=window)
        except RasterioError as e:
            raise RasterReadError(f'cannot read the pixels of {self.path} (corrupt or truncated '
                                  f'file?); GDAL says: {e}') from None
        img = data.transpose(1, 2, 0)
        if copies > 1:  # OpenCV's gray -> BGR
            img = np.repeat(img, copies, axis=-1)
        img = np.ascontiguousarray(img, np.float32 if self.reader.to_float32 else None)
        # the loader has no nodata: the model sees these pixels; the mask only marks the output
        mask = ~valid.astype(bool).all(0)
        if img.dtype.kind == 'f':
            mask |= np.isnan(img).any(-1)
        return img, mask

    def close(self):
        if self.src is not None:
            self._cm.__exit__(None, None, None)
            self.src = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
