"""Per-band mean / std / percentiles of a dataset, for a config's data preprocessor.

    python tools/analysis_tools/band_stats.py CONFIG [--split train] --out stats.json
    python tools/analysis_tools/band_stats.py DIR_OR_RASTER [...] [--bands 1 2 3 | B02 B03]
        [--divisor 10000] [--nodata 0] --out stats.json

A command line over :func:`cmid_mm.datasets.band_statistics` (how the images are read, and how
the statistics are computed in one pass): writes them as JSON and prints a table and the
``data_preprocessor`` mean / std to paste into the config.
"""
import argparse
import json
import os
import os.path as osp

from cmid_mm.datasets import band_statistics
from cmid_mm.utils import add_cfg_options_arg, run_cli


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
    return add_cfg_options_arg(parser).parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    bands = None if not args.bands else [int(b) if b.isdigit() else b for b in args.bands]
    result = band_statistics(args.sources, args.split, bands, args.divisor, args.nodata,
                             args.percentiles, args.reservoir, args.max_images,
                             args.cfg_options, progress=True)
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


if __name__ == '__main__':
    run_cli(main, user_errors=(ValueError, FileNotFoundError))
