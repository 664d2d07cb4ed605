"""DOTA patch split / merge for oriented boxes (the horizontal-box version is
:mod:`cmid_mm.detection.dota_split`, whose window layout and patch names are reused).

Split: an object is kept in a patch when at least ``iof_thr`` of its polygon's area is inside;
a cut object's polygon is clipped to the patch with shapely and replaced by the minimum-area
rectangle of the visible part (objects entirely inside keep their polygon). Merge: patch
detections (``le90`` rotated boxes) go back to scene pixels and are deduplicated by class-wise
rotated NMS.

Command line (patches of every scene, empty ones included)::

    python -m cmid_mm.detection.rotated.split data/DOTA/train data/DOTA-split-1024/train \
        --patch-size 1024 --gap 200
"""
import argparse
import glob
import os
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import shapely
import torch

from ..dota import dump_dota_labels, load_dota_labels
from ..dota_split import Patch, parse_patch_name, patch_name, window_starts
from .boxes import batched_rotated_nms


def rotated_objects_in_window(polys: np.ndarray, window: Sequence[float],
                              iof_thr: float) -> Tuple[np.ndarray, np.ndarray]:
    """Objects kept in a window and their polygons there (scene coordinates).

    Returns:
        tuple: indices of the kept objects ``(K,)`` and their polygons ``(K, 8)``: the original
        polygon when entirely inside, else the minimum-area rectangle of the clipped part.
    """
    if len(polys) == 0:
        return np.zeros(0, np.int64), np.zeros((0, 8), np.float32)
    x1, y1, x2, y2 = window
    xy = polys.reshape(-1, 4, 2)
    inside = ((xy[..., 0] >= x1) & (xy[..., 0] <= x2) & (xy[..., 1] >= y1) &
              (xy[..., 1] <= y2)).all(axis=1)
    shapes = shapely.make_valid(shapely.polygons(xy))
    areas = shapely.area(shapes)
    clipped = shapely.intersection(shapes, shapely.box(x1, y1, x2, y2))
    with np.errstate(divide='ignore', invalid='ignore'):
        iof = np.where(areas > 0, shapely.area(clipped) / areas, inside.astype(float))
    keep = np.flatnonzero(inside | (iof >= iof_thr))
    out = polys[keep].astype(np.float32).copy()
    for row, idx in enumerate(keep):
        if not inside[idx]:
            pts = shapely.get_coordinates(clipped[idx]).astype(np.float32)
            out[row] = cv2.boxPoints(cv2.minAreaRect(pts)).reshape(8)
    return keep, out


def split_scene_rotated(image: np.ndarray, polys: np.ndarray, labels: Sequence[str],
                        difficult: Sequence[int], scene: str, patch_size: int = 1024,
                        gap: int = 200, rate: float = 1.0, iof_thr: float = 0.7,
                        pad_value: int = 0) -> Iterator[Patch]:
    """:func:`cmid_mm.detection.dota_split.split_scene` with oriented objects (see the module
    docstring); yields every window as a ``Patch`` (polygons in patch pixels)."""
    polys = np.asarray(polys, np.float32).reshape(-1, 8)
    difficult = np.asarray(difficult, np.int64).reshape(-1)
    if not len(polys) == len(labels) == len(difficult):
        raise ValueError(f'{scene}: {len(polys)} polygons, {len(labels)} labels and '
                         f'{len(difficult)} difficult flags')
    if rate != 1:
        image = cv2.resize(image, None, fx=rate, fy=rate, interpolation=cv2.INTER_LINEAR)
        polys = polys * rate
    height, width = image.shape[:2]
    for y in window_starts(height, patch_size, gap):
        for x in window_starts(width, patch_size, gap):
            crop = image[y:y + patch_size, x:x + patch_size]
            patch = np.full((patch_size, patch_size) + image.shape[2:], pad_value, image.dtype)
            patch[:crop.shape[0], :crop.shape[1]] = crop
            keep, kept = rotated_objects_in_window(
                polys, (x, y, x + crop.shape[1], y + crop.shape[0]), iof_thr)
            kept -= np.tile(np.array([x, y], np.float32), 4)
            yield Patch(patch_name(scene, rate, x, y), x, y, patch, kept,
                        [labels[i] for i in keep], difficult[keep])


def merge_rotated_patch_detections(
        detections: Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]],
        iou_thr: float = 0.1) -> Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Patch detections ``name -> (bboxes (N, 5) le90, scores, labels)`` in patch pixels ->
    ``scene -> (bboxes, scores, labels)`` in scene pixels, deduplicated by class-wise rotated
    NMS (0.1 as mmrotate's DOTA merge), by decreasing score."""
    per_scene: Dict[str, List[Tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for name, (bboxes, scores, labels) in detections.items():
        scene, rate, x, y = parse_patch_name(name)
        bboxes = np.asarray(bboxes, np.float32).reshape(-1, 5).copy()
        bboxes[:, :2] += np.float32([x, y])
        bboxes[:, :4] /= np.float32(rate)
        per_scene.setdefault(scene, []).append(
            (bboxes, np.asarray(scores, np.float32).reshape(-1),
             np.asarray(labels, np.int64).reshape(-1)))
    merged = {}
    for scene, parts in per_scene.items():
        bboxes, scores, labels = (np.concatenate(p) for p in zip(*parts))
        dets, keep = batched_rotated_nms(torch.from_numpy(bboxes), torch.from_numpy(scores),
                                         torch.from_numpy(labels), iou_thr)
        merged[scene] = (dets[:, :5].numpy(), dets[:, 5].numpy(), labels[keep.numpy()])
    return merged


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description='Split DOTA scenes into patches with oriented '
                                     'objects (SRC/images [+ SRC/labelTxt] -> DST/...).')
    parser.add_argument('src')
    parser.add_argument('dst')
    parser.add_argument('--patch-size', type=int, default=1024)
    parser.add_argument('--gap', type=int, default=200)
    parser.add_argument('--rates', type=float, nargs='+', default=[1.0])
    parser.add_argument('--iof-thr', type=float, default=0.7)
    parser.add_argument('--img-suffix', default='png')
    args = parser.parse_args(argv)
    images = sorted(glob.glob(osp.join(args.src, 'images', f'*.{args.img_suffix}')))
    if not images:
        raise FileNotFoundError(f'no *.{args.img_suffix} image in {args.src}/images')
    label_dir = osp.join(args.src, 'labelTxt')
    labelled = osp.isdir(label_dir)
    for sub in ('images', 'labelTxt') if labelled else ('images', ):
        os.makedirs(osp.join(args.dst, sub), exist_ok=True)
    for img_path in images:
        scene = osp.splitext(osp.basename(img_path))[0]
        image = cv2.imread(img_path, cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f'cannot read image {img_path}')
        if labelled:
            polys, names, difficult = load_dota_labels(osp.join(label_dir, f'{scene}.txt'))
        else:
            polys, names, difficult = np.zeros((0, 8), np.float32), [], np.zeros(0, np.int64)
        for rate in args.rates:
            for patch in split_scene_rotated(image, polys, names, difficult, scene,
                                             args.patch_size, args.gap, rate, args.iof_thr):
                cv2.imwrite(osp.join(args.dst, 'images', f'{patch.name}.png'), patch.image)
                if labelled:
                    dump_dota_labels(osp.join(args.dst, 'labelTxt', f'{patch.name}.txt'),
                                     patch.polys, patch.labels, patch.difficult)


if __name__ == '__main__':
    main()
