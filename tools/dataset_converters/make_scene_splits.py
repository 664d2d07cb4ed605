"""Write seeded, per-class stratified train/test split files for UCM / AID / NWPU-RESISC45.

    python tools/dataset_converters/make_scene_splits.py ucmerced data/UCMerced_LandUse
    python tools/dataset_converters/make_scene_splits.py aid data/AID            # 2-8 and 5-5
    python tools/dataset_converters/make_scene_splits.py nwpu data/NWPU-RESISC45 # 1-9 and 2-8

writes ``<data_root>/splits/{train,test}_<ratio>.txt`` (``<relative path> <label>`` per line),
the files the ``UCMerced`` / ``AID`` / ``NWPURESISC45`` datasets read. The same seed gives the same
files on every machine.
"""
import argparse

from cmid_mm.datasets.scene_classification import SCENE_DATASETS, make_scene_splits
from cmid_mm.utils import run_cli


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dataset', choices=sorted(SCENE_DATASETS))
    parser.add_argument('data_root', help='the dataset folder in its published layout')
    parser.add_argument('--ratios', nargs='+',
                        help="train-test ratios in tenths, e.g. 8-2 (default: the dataset's "
                        'standard ones: ucmerced 8-2, aid 2-8 5-5, nwpu 1-9 2-8)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the per-class shuffles')
    return parser.parse_args()


def main():
    args = parse_args()
    summary = make_scene_splits(args.dataset, args.data_root, args.ratios, args.seed)
    print('| ratio | train | test | files |\n|---|---|---|---|')
    for ratio, s in summary.items():
        print(f"| {ratio} | {s['train']} | {s['test']} | {' '.join(s['files'])} |")


if __name__ == '__main__':
    run_cli(main, user_errors=(FileNotFoundError, ValueError))
