"""Split DOTA scenes into overlapping patches (images + DOTA-format labels) for training/testing.

    python tools/dataset_converters/dota_split.py data/DOTA/train data/DOTA-split-1024/train
    python tools/dataset_converters/dota_split.py data/DOTA/test data/DOTA-split-1024/test
    python tools/dataset_converters/dota_split.py data/DOTA/train DST --oriented  # oriented boxes

reads ``SRC/images/*.png`` and, when present, ``SRC/labelTxt/*.txt``; writes
``DST/images/<scene>__<rate>__<x>___<y>.png`` and ``DST/labelTxt/<same>.txt`` (every patch, empty
ones included: the dataset's ``filter_empty_gt`` drops them in training). Patch detections are
merged back into scenes by ``dota_merge.py`` (``cmid_mm.detection.split_dota_folder``).
"""
import argparse

from cmid_mm.detection import split_dota_folder
from cmid_mm.utils import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='DOTA split folder with images/ and (optionally) labelTxt/')
    parser.add_argument('dst', help='output folder (images/ and labelTxt/ are created)')
    parser.add_argument('--patch-size', type=int, default=1024)
    parser.add_argument('--gap', type=int, default=200, help='overlap of neighbouring patches')
    parser.add_argument('--rates', type=float, nargs='+', default=[1.0],
                        help='scene rescaling factors (multi-scale: 0.5 1.0 1.5)')
    parser.add_argument('--iof-thr', type=float, default=0.7,
                        help='keep an object cut by a patch border when this fraction of its '
                        'area is inside')
    parser.add_argument('--oriented', action='store_true',
                        help='a cut object becomes an oriented box (for oriented detection), '
                        'not a horizontal one')
    parser.add_argument('--img-suffix', default='png')
    parser.add_argument('--nproc', type=int, default=1)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    scenes, patches, objects, labelled = split_dota_folder(
        args.src, args.dst, args.img_suffix, args.nproc, patch_size=args.patch_size,
        gap=args.gap, rates=args.rates, iof_thr=args.iof_thr, oriented=args.oriented)
    if not labelled:
        print(f'{args.src}/labelTxt not found: split images only (unlabelled test split)')
    print(f'{scenes} scenes -> {patches} patches of {args.patch_size} px ({objects} objects) '
          f'in {args.dst}')


if __name__ == '__main__':
    run_cli(main, user_errors=(FileNotFoundError, ValueError))
