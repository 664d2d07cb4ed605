"""Per-band mean / std / percentiles of a dataset, for a config's data preprocessor.

    python tools/analysis/band_stats.py CONFIG [--split train] --out stats.json
    python tools/analysis/band_stats.py DIR_OR_RASTER [...] [--bands 1 2 3 | B02 B03]
        [--divisor 10000] [--nodata 0] --out stats.json

With a config, the images of its ``{split}_dataloader`` dataset are loaded by the first loading
transform of its pipeline (``LoadRSImageFromFile`` or mmcv's ``LoadImageFromFile``), so the numbers
are in the units the data preprocessor sees (after band selection and scaling). With files or
folders (searched recursively for raster / image extensions), a ``LoadRSImageFromFile`` built from
the command-line options reads them.

One pass, bounded memory: rasters are read in row strips; mean/std are exact, from running
per-band (count, mean, M2) merged with Chan et al.'s formula in float64. Percentiles are exact for
8/16-bit integer data (one histogram bin per value, ``inverted_cdf`` definition) and estimated for
float / 32-bit data from a uniform reservoir sample of ``--reservoir`` pixels (all bands of a pixel
together; linear interpolation). Nodata pixels (``nodata_mask``) are left out.

Writes JSON: ``mean``, ``std``, ``min``, ``max``, ``percentiles`` ({p: [per band]}),
``num_pixels``, ``num_images``, ``percentile_method`` and ``data_preprocessor`` (mean/std lists to
paste into the config), and prints a table.
"""
import argparse
import json
import os
import os.path as osp
import sys

import numpy as np
from mmengine.config import DictAction
from mmengine.registry import DATASETS, init_default_scope
from mmengine.utils import ProgressBar
from rasterio.windows import Window

import cmid_mm  # noqa: F401  registers LoadRSImageFromFile in every library
from cmid_mm.datasets import RS_IMAGE_EXTENSIONS
from cmid_mm.datasets.transforms import LoadRSImageFromFile
from cmid_mm.datasets.transforms.load_rs_image import OPENCV_EXTENSIONS
from cmid_mm.utils import CLIError, load_config, run_cli

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
            raise CLIError(f'{name} gives {pixels.shape[1]} band(s) of {pixels.dtype}, but the '
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
            raise CLIError(f'no such file or folder: {p}')
    if not files:
        raise CLIError(f'no image ({", ".join(RS_IMAGE_EXTENSIONS)}) found in {paths}')
    return files


def files_from_config(args):
    cfg = load_config(args.sources[0], args.cfg_options)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    key = f'{args.split}_dataloader'
    if key not in cfg or 'dataset' not in cfg[key]:
        raise CLIError(f'{args.sources[0]} has no {key}.dataset')
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    dataset = DATASETS.build(cfg[key]['dataset'])
    if len(dataset) == 0:
        raise CLIError(f'the {key} dataset of {args.sources[0]} is empty')
    loader = None
    for t in dataset.pipeline.transforms:
        if isinstance(t, LoadRSImageFromFile):
            loader = t
            break
        if type(t).__name__ == 'LoadImageFromFile':  # mmcv's or a library's subclass
            loader = LoadRSImageFromFile(color_type=getattr(t, 'color_type', 'color'))
            break
    if loader is None:
        raise CLIError(f'the {key} pipeline of {args.sources[0]} has no LoadRSImageFromFile / '
                       'LoadImageFromFile transform')
    return loader, [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('sources', nargs='+', help='a config file, or raster files / folders')
    parser.add_argument('--out', required=True, help='JSON file to write')
    parser.add_argument('--split', default='train', choices=['train', 'val', 'test'],
                        help='which dataloader of a config')
    parser.add_argument('--bands', nargs='+', help='files mode: 1-based indices or band names')
    parser.add_argument('--divisor', type=float, help='files mode: divide values by this')
    parser.add_argument('--nodata', type=float, help='files mode: nodata value override')
    parser.add_argument('--percentiles', type=float, nargs='+', default=[1., 2., 50., 98., 99.])
    parser.add_argument('--reservoir', type=int, default=200_000,
                        help='reservoir sample size for float data percentiles')
    parser.add_argument('--max-images', type=int, help='only the first N images')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config mode: override settings of the config')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if any(not 0 <= q <= 100 for q in args.percentiles):
        raise CLIError(f'--percentiles must be in [0, 100], got {args.percentiles}')
    config_mode = len(args.sources) == 1 and args.sources[0].endswith('.py')
    if config_mode:
        if args.bands or args.divisor or args.nodata is not None:
            raise CLIError('--bands/--divisor/--nodata are for files mode; with a config, the '
                           "pipeline's loading transform decides")
        loader, paths = files_from_config(args)
    else:
        bands = None if not args.bands else [int(b) if b.isdigit() else b for b in args.bands]
        loader = LoadRSImageFromFile(bands=bands, dtype=None,
                                     scale='divisor' if args.divisor else None,
                                     divisor=args.divisor, nodata=args.nodata)
        paths = files_from_paths(args.sources)
    if args.max_images:
        paths = paths[:args.max_images]

    stats = BandStatistics(reservoir=args.reservoir)
    bar = ProgressBar(len(paths), file=sys.stderr)
    for path in paths:
        try:
            for pixels in raster_pixels(loader, path):
                stats.update(pixels, path)
        except (OSError, ValueError) as e:  # loader errors already name the file
            raise CLIError(str(e)) from None
        bar.update()
    sys.stderr.write('\n')
    if stats.count == 0:
        raise CLIError(f'no valid pixel in {len(paths)} image(s): all nodata?')

    result = stats.result(args.percentiles, len(paths))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    header = ['band', 'mean', 'std', 'min', 'max'] + [f'p{q:g}' for q in args.percentiles]
    print(' '.join(f'{h:>10}' for h in header))
    for c in range(result['bands']):
        row = [result[k][c] for k in ('mean', 'std', 'min', 'max')]
        row += [result['percentiles'][f'{q:g}'][c] for q in args.percentiles]
        print(f'{c + 1:>10} ' + ' '.join(f'{v:>10.4g}' for v in row))
    print(f'{result["num_images"]} image(s), {result["num_pixels"]} valid pixels; percentiles '
          f'{result["percentile_method"]}')
    print(f'data_preprocessor: mean={result["data_preprocessor"]["mean"]}, '
          f'std={result["data_preprocessor"]["std"]}')
    print(f'written: {args.out}')
    return result


if __name__ == '__main__':
    run_cli(main)
