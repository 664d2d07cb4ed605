"""Per-band mean / std / percentiles of a dataset, for a config's data preprocessor
(:func:`band_statistics`; ``tools/analysis_tools/band_stats.py`` is its command line).

With a config, the images of its ``{split}_dataloader`` dataset are loaded by the first loading
transform of its pipeline (``LoadRSImageFromFile`` or mmcv's ``LoadImageFromFile``), so the numbers
are in the units the data preprocessor sees (after band selection and scaling). With files or
folders (searched recursively for raster / image extensions), a ``LoadRSImageFromFile`` built from
the band / divisor / nodata options reads them.

One pass, bounded memory: rasters are read in row strips; mean/std are exact, from running
per-band (count, mean, M2) merged with Chan et al.'s formula in float64. Percentiles are exact for
8/16-bit integer data (one histogram bin per value, ``inverted_cdf`` definition) and estimated for
float / 32-bit data from a uniform reservoir sample of ``reservoir`` pixels (all bands of a pixel
together; linear interpolation). Nodata pixels (``nodata_mask``) are left out.

The result (written as JSON by the tool): ``mean``, ``std``, ``min``, ``max``, ``percentiles``
({p: [per band]}), ``num_pixels``, ``num_images``, ``percentile_method`` and
``data_preprocessor`` (mean/std lists to paste into the config).
"""
import os
import os.path as osp
import sys
from typing import Optional, Sequence, Union

import numpy as np
from mmengine.registry import DATASETS, init_default_scope
from mmengine.utils import ProgressBar
from rasterio.windows import Window

from ..utils import load_config
from .transforms import LoadRSImageFromFile
from .transforms.load_rs_image import OPENCV_EXTENSIONS
from .unlabeled_rs_dataset import RS_IMAGE_EXTENSIONS

STRIP_PIXELS = 1 << 22  # pixels per row strip of a raster (~4 M: 16 MB per float32 band)


class BandStatistics:
    """Streaming per-band statistics of (N, C) pixel rows (see the module docstring)."""

    def __init__(self, reservoir: int = 200_000, seed: int = 0):
        self.reservoir_size = reservoir
        self.rng = np.random.default_rng(seed)
        self.n_bands = None
        self.count = 0
        self.mean = self.m2 = self.min = self.max = None
        self.hist = None  # (C, 65536) int64 for 8/16-bit integer data
        self.hist_offset = 0
        self.sample = None  # (reservoir, C) for other data
        self.seen = 0
        self.dtype = None

    def update(self, pixels: np.ndarray, name: str):
        """Add (N, C) valid pixels of the image ``name`` (named in errors)."""
        if self.n_bands is None:
            self._start(pixels, name)
        if pixels.shape[1] != self.n_bands or pixels.dtype != self.dtype:
            raise ValueError(f'{name} gives {pixels.shape[1]} band(s) of {pixels.dtype}, but the '
                           f'images before it gave {self.n_bands} of {self.dtype}; every image '
                           'must load to the same bands and dtype')
        n = len(pixels)
        if not n:
            return
        x = pixels.astype(np.float64)
        b_mean = x.mean(0)
        b_m2 = ((x - b_mean)**2).sum(0)
        total = self.count + n
        delta = b_mean - self.mean
        self.mean = self.mean + delta * n / total
        self.m2 = self.m2 + b_m2 + delta**2 * self.count * n / total
        self.count = total
        self.min = np.minimum(self.min, x.min(0))
        self.max = np.maximum(self.max, x.max(0))
        if self.hist is not None:
            for c in range(self.n_bands):
                self.hist[c] += np.bincount(pixels[:, c].astype(np.int64) - self.hist_offset,
                                            minlength=self.hist.shape[1])
        else:
            self._reservoir_update(pixels)

    def _start(self, pixels, name):
        self.n_bands = pixels.shape[1]
        self.dtype = pixels.dtype
        self.mean = np.zeros(self.n_bands)
        self.m2 = np.zeros(self.n_bands)
        self.min = np.full(self.n_bands, np.inf)
        self.max = np.full(self.n_bands, -np.inf)
        if pixels.dtype.kind in 'iu' and pixels.dtype.itemsize <= 2:
            info = np.iinfo(pixels.dtype)
            self.hist_offset = int(info.min)
            self.hist = np.zeros((self.n_bands, int(info.max) - int(info.min) + 1), np.int64)
        else:
            self.sample = np.empty((self.reservoir_size, self.n_bands), np.float64)

    def _reservoir_update(self, pixels):
        """Algorithm R, vectorised over the pixels of one image."""
        n = len(pixels)
        fill = min(max(self.reservoir_size - self.seen, 0), n)
        if fill:
            self.sample[self.seen:self.seen + fill] = pixels[:fill]
        rest = np.arange(self.seen + fill, self.seen + n)  # global indices of the other pixels
        if len(rest):
            slot = (self.rng.random(len(rest)) * (rest + 1)).astype(np.int64)
            keep = slot < self.reservoir_size
            self.sample[slot[keep]] = pixels[fill:][keep]
        self.seen += n

    def percentiles(self, qs):
        if self.hist is not None:
            cdf = np.cumsum(self.hist, axis=1)
            out = {}
            for q in qs:
                # inverted CDF: the smallest value whose cumulative count reaches q% of the pixels
                target = np.ceil(q / 100. * self.count)
                idx = np.array([np.searchsorted(cdf[c], max(target, 1)) for c in range(len(cdf))])
                out[q] = (idx + self.hist_offset).astype(np.float64)
            return out
        sample = self.sample[:min(self.seen, self.reservoir_size)]
        return {q: np.percentile(sample, q, axis=0) for q in qs}

    @property
    def method(self):
        if self.hist is not None:
            return 'exact (per-value histogram, inverted_cdf)'
        return (f'estimated from a uniform reservoir sample of '
                f'{min(self.seen, self.reservoir_size)} pixels (linear interpolation)')

    def result(self, qs, num_images):
        std = np.sqrt(self.m2 / max(self.count, 1))
        pct = self.percentiles(qs)

        def r(a):
            return [round(float(v), 6) for v in a]

        return dict(num_images=num_images, num_pixels=int(self.count), bands=self.n_bands,
                    dtype=str(self.dtype), mean=r(self.mean), std=r(std), min=r(self.min),
                    max=r(self.max), percentiles={f'{q:g}': r(v) for q, v in pct.items()},
                    percentile_method=self.method,
                    data_preprocessor=dict(mean=[round(float(v), 4) for v in self.mean],
                                           std=[round(float(v), 4) for v in std]))


def raster_pixels(loader: LoadRSImageFromFile, path: str):
    """Valid (N, C) pixels of one image, in row strips for rasters (bounded memory). A list of
    paths (multi-date sample) is loaded whole, its bands stacked as the model sees them."""
    if isinstance(path, (list, tuple)) or osp.splitext(path)[1].lower() in OPENCV_EXTENSIONS:
        out = loader(dict(img_path=path))
        yield out['img'][~out['nodata_mask']]
        return
    with loader.open(path) as src:
        value_range = loader.scene_value_range(src)
        rows = max(1, STRIP_PIXELS // max(src.width, 1))
        for top in range(0, src.height, rows):
            window = Window(0, top, src.width, min(rows, src.height - top))
            img, mask = loader.read(src, window, value_range)
            yield img[~mask]


def files_from_paths(paths):
    files = []
    for p in paths:
        if osp.isdir(p):
            for root, _, names in sorted(os.walk(p)):
                files += [osp.join(root, n) for n in sorted(names)
                          if osp.splitext(n)[1].lower() in RS_IMAGE_EXTENSIONS]
        elif osp.isfile(p):
            files.append(p)
        else:
            raise FileNotFoundError(f'no such file or folder: {p}')
    if not files:
        raise FileNotFoundError(f'no image ({", ".join(RS_IMAGE_EXTENSIONS)}) found in {paths}')
    return files


def files_from_config(config, split='train', cfg_options=None):
    """The loading transform of a config's ``{split}_dataloader`` pipeline and its images."""
    cfg = load_config(config, cfg_options, merge=True)
    key = f'{split}_dataloader'
    if key not in cfg or 'dataset' not in cfg[key]:
        raise ValueError(f'{config} has no {key}.dataset')
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    dataset = DATASETS.build(cfg[key]['dataset'])
    if len(dataset) == 0:
        raise ValueError(f'the {key} dataset of {config} is empty')
    loader = None
    for t in dataset.pipeline.transforms:
        if isinstance(t, LoadRSImageFromFile):
            loader = t
            break
        if type(t).__name__ == 'LoadImageFromFile':  # mmcv's or a library's subclass
            loader = LoadRSImageFromFile(color_type=getattr(t, 'color_type', 'color'))
            break
    if loader is None:
        raise ValueError(f'the {key} pipeline of {config} has no LoadRSImageFromFile / '
                         'LoadImageFromFile transform')
    return loader, [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]


def band_statistics(sources: Union[str, Sequence[str]], split: str = 'train',
                    bands: Optional[Sequence[Union[int, str]]] = None,
                    divisor: Optional[float] = None, nodata: Optional[float] = None,
                    percentiles: Sequence[float] = (1., 2., 50., 98., 99.),
                    reservoir: int = 200_000, max_images: Optional[int] = None,
                    cfg_options: Optional[dict] = None, progress: bool = False) -> dict:
    """Statistics of the images of a config's ``{split}_dataloader`` (``sources``: one ``.py``
    file; read by its pipeline's loader) or of raster files / folders (read with ``bands``,
    ``divisor``, ``nodata``); see the module docstring for what is returned.

    Raises:
        ValueError: a bad option, an image that cannot be read or loads to other bands than the
            ones before it, or no valid pixel; FileNotFoundError: a missing file, no image.
    """
    sources = [str(sources)] if isinstance(sources, (str, os.PathLike)) else list(map(str,
                                                                                      sources))
    if any(not 0 <= q <= 100 for q in percentiles):
        raise ValueError(f'percentiles must be in [0, 100], got {list(percentiles)}')
    if len(sources) == 1 and sources[0].endswith('.py'):
        if bands or divisor or nodata is not None:
            raise ValueError('bands / divisor / nodata are for files; with a config, the '
                             "pipeline's loading transform decides")
        loader, paths = files_from_config(sources[0], split, cfg_options)
    else:
        loader = LoadRSImageFromFile(bands=None if not bands else list(bands), dtype=None,
                                     scale='divisor' if divisor else None, divisor=divisor,
                                     nodata=nodata)
        paths = files_from_paths(sources)
    if max_images:
        paths = paths[:max_images]

    stats = BandStatistics(reservoir=reservoir)
    bar = ProgressBar(len(paths), file=sys.stderr) if progress else None
    for path in paths:
        for pixels in raster_pixels(loader, path):  # loader errors name the file
            stats.update(pixels, path)
        if bar:
            bar.update()
    if bar:
        sys.stderr.write('\n')
    if stats.count == 0:
        raise ValueError(f'no valid pixel in {len(paths)} image(s): all nodata?')
    return stats.result(percentiles, len(paths))
