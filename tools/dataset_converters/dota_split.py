"""Split DOTA scenes into overlapping patches (images + DOTA-format labels) for training/testing.

    python tools/dataset_converters/dota_split.py data/DOTA/train data/DOTA-split-1024/train
    python tools/dataset_converters/dota_split.py data/DOTA/test data/DOTA-split-1024/test

reads ``SRC/images/*.png`` and, when present, ``SRC/labelTxt/*.txt``; writes
``DST/images/<scene>__<rate>__<x>___<y>.png`` and ``DST/labelTxt/<same>.txt`` (every patch, empty
ones included: the dataset's ``filter_empty_gt`` drops them in training). Patch detections are
merged back into scenes by ``dota_merge.py``.
"""
import argparse
import glob
import os
import os.path as osp
from functools import partial
from multiprocessing import Pool

import cv2
import numpy as np
from cmid_mm.detection import dump_dota_labels, load_dota_labels, split_scene
from cmid_mm.utils import CLIError, run_cli


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
    parser.add_argument('--img-suffix', default='png')
    parser.add_argument('--nproc', type=int, default=1)
    return parser.parse_args(argv)


def split_one(img_path, label_dir, dst, args):
    """Split one scene; returns (scene, number of patches, number of objects written)."""
    scene = osp.splitext(osp.basename(img_path))[0]
    image = cv2.imread(img_path, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'cannot read image {img_path}')
    if label_dir is None:
        polys, names, difficult = np.zeros((0, 8), np.float32), [], np.zeros(0, np.int64)
    else:
        polys, names, difficult = load_dota_labels(osp.join(label_dir, f'{scene}.txt'))
    n_patches = n_objects = 0
    for rate in args.rates:
        for patch in split_scene(image, polys, names, difficult, scene, args.patch_size,
                                 args.gap, rate, args.iof_thr):
            cv2.imwrite(osp.join(dst, 'images', f'{patch.name}.png'), patch.image)
            if label_dir is not None:
                dump_dota_labels(osp.join(dst, 'labelTxt', f'{patch.name}.txt'), patch.polys,
                                 patch.labels, patch.difficult)
            n_patches += 1
            n_objects += len(patch.labels)
    return scene, n_patches, n_objects


def main(argv=None):
    args = parse_args(argv)
    img_dir, label_dir = osp.join(args.src, 'images'), osp.join(args.src, 'labelTxt')
    images = sorted(glob.glob(osp.join(img_dir, f'*.{args.img_suffix}')))
    if not images:
        raise CLIError(f'no *.{args.img_suffix} image in {img_dir}')
    if not osp.isdir(label_dir):
        print(f'{label_dir} not found: splitting images only (unlabelled test split)')
        label_dir = None
    else:
        missing = [p for p in images if not osp.isfile(
            osp.join(label_dir, osp.splitext(osp.basename(p))[0] + '.txt'))]
        if missing:
            raise CLIError(f'{len(missing)} image(s) without a label file in {label_dir}, '
                           f'e.g. {missing[0]}')
    os.makedirs(osp.join(args.dst, 'images'), exist_ok=True)
    if label_dir is not None:
        os.makedirs(osp.join(args.dst, 'labelTxt'), exist_ok=True)
    work = partial(split_one, label_dir=label_dir, dst=args.dst, args=args)
    total_patches = total_objects = 0
    try:
        with Pool(args.nproc) if args.nproc > 1 else _Serial() as pool:
            for _, n_patches, n_objects in pool.imap_unordered(work, images):
                total_patches += n_patches
                total_objects += n_objects
    except (FileNotFoundError, ValueError) as e:  # a bad label line or an unreadable image
        raise CLIError(str(e)) from e
    print(f'{len(images)} scenes -> {total_patches} patches of {args.patch_size} px '
          f'({total_objects} objects) in {args.dst}')


class _Serial:
    """In-process stand-in for ``multiprocessing.Pool`` (``--nproc 1``)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def imap_unordered(func, items):
        return map(func, items)


if __name__ == '__main__':
    run_cli(main)
