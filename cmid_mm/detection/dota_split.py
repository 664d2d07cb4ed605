"""Split large DOTA scenes into overlapping patches, and merge patch detections back.

DOTA scenes are up to ~20,000 px wide, so detectors train and infer on patches (1024 px with a
200 px overlap, the DOTA devkit's setting). Patch names follow the devkit's
``<scene>__<rate>__<x>___<y>`` so that detections can be mapped back to the scene, where
duplicates from overlapping patches are removed by mmcv's NMS. Used by
``tools/dataset_converters/dota_split.py`` / ``dota_merge.py`` (mmdet has no such tool; mmrotate's
needs BboxToolkit and oriented boxes).
"""
import re
from typing import Dict, Iterator, List, NamedTuple, Sequence, Tuple

import cv2
import numpy as np
import shapely
import torch
from mmcv.ops import batched_nms

PATCH_NAME = re.compile(r'^(?P<scene>.+)__(?P<rate>[0-9.]+)__(?P<x>\d+)___(?P<y>\d+)$')


class Patch(NamedTuple):
    name: str
    x: int  # top-left corner in the (rescaled) scene
    y: int
    image: np.ndarray  # patch_size x patch_size (padded at the scene border)
    polys: np.ndarray  # (K, 8) in patch coordinates
    labels: List[str]
    difficult: np.ndarray  # (K,)


def patch_name(scene: str, rate: float, x: int, y: int) -> str:
    return f'{scene}__{rate:g}__{x}___{y}'


def parse_patch_name(name: str) -> Tuple[str, float, int, int]:
    """``'P0001__1__824___0'`` -> ``('P0001', 1.0, 824, 0)``."""
    match = PATCH_NAME.match(name)
    if match is None:
        raise ValueError(f"not a patch name '<scene>__<rate>__<x>___<y>': {name!r}")
    return match['scene'], float(match['rate']), int(match['x']), int(match['y'])


def window_starts(length: int, patch_size: int, gap: int) -> List[int]:
    """Patch origins along one axis: a step of ``patch_size - gap``, the last window flush with the
    border (as the DOTA devkit); one window at 0 when the scene is smaller than a patch."""
    if gap >= patch_size:
        raise ValueError(f'gap ({gap}) must be smaller than patch_size ({patch_size})')
    if length <= patch_size:
        return [0]
    starts = list(range(0, length - patch_size, patch_size - gap))
    return starts + [length - patch_size]


def objects_in_window(polys: np.ndarray, window: Sequence[float],
                      iof_thr: float) -> Tuple[np.ndarray, np.ndarray]:
    """Objects kept in a window and their polygons there (scene coordinates).

    An object is kept when at least ``iof_thr`` of its area is inside the window (intersection
    over the object's own area). Objects entirely inside keep their polygon; cut ones become the
    axis-aligned box around their visible part (written as 4 corners).

    Returns:
        tuple: indices of the kept objects ``(K,)`` and their polygons ``(K, 8)``.
    """
    if len(polys) == 0:
        return np.zeros(0, np.int64), np.zeros((0, 8), np.float32)
    x1, y1, x2, y2 = window
    xy = polys.reshape(-1, 4, 2)
    inside = ((xy[..., 0] >= x1) & (xy[..., 0] <= x2) & (xy[..., 1] >= y1) &
              (xy[..., 1] <= y2)).all(axis=1)
    # make_valid: DOTA has a few self-intersecting (mis-ordered) quadrilaterals.
    shapes = shapely.make_valid(shapely.polygons(xy))
    areas = shapely.area(shapes)
    clipped = shapely.intersection(shapes, shapely.box(x1, y1, x2, y2))
    with np.errstate(divide='ignore', invalid='ignore'):
        iof = np.where(areas > 0, shapely.area(clipped) / areas, inside.astype(float))
    keep = np.flatnonzero(inside | (iof >= iof_thr))
    out = polys[keep].astype(np.float32).copy()
    for row, idx in enumerate(keep):
        if not inside[idx]:
            bx1, by1, bx2, by2 = shapely.bounds(clipped[idx])
            out[row] = (bx1, by1, bx2, by1, bx2, by2, bx1, by2)
    return keep, out


def split_scene(image: np.ndarray, polys: np.ndarray, labels: Sequence[str],
                difficult: Sequence[int], scene: str, patch_size: int = 1024, gap: int = 200,
                rate: float = 1.0, iof_thr: float = 0.7, pad_value: int = 0) -> Iterator[Patch]:
    """Cut a scene (rescaled by ``rate``) into ``patch_size`` patches overlapping by ``gap``.

    Args:
        image (np.ndarray): ``H x W x C`` scene.
        polys (np.ndarray): ``(N, 8)`` object polygons in scene pixels.
        labels (Sequence[str]): N class names. difficult: N flags.
        iof_thr (float): Keep an object cut by the patch border when at least this fraction of
            its area is inside (0.7 as the DOTA devkit).

    Yields:
        Patch: every window, with or without objects.
    """
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
            keep, kept = objects_in_window(polys, (x, y, x + crop.shape[1], y + crop.shape[0]),
                                           iof_thr)
            kept -= np.tile(np.array([x, y], np.float32), 4)
            yield Patch(patch_name(scene, rate, x, y), x, y, patch, kept,
                        [labels[i] for i in keep], difficult[keep])


def merge_patch_detections(
        detections: Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]],
        iou_thr: float = 0.1) -> Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Map patch detections to scene coordinates and remove duplicates with class-wise NMS.

    Args:
        detections (dict): patch name -> ``(bboxes (N, 4) x1 y1 x2 y2, scores (N,), labels (N,))``
            in patch pixels.
        iou_thr (float): NMS IoU threshold (0.1 as mmrotate's DOTA merge).

    Returns:
        dict: scene name -> ``(bboxes, scores, labels)`` in original scene pixels, sorted by
        decreasing score.
    """
    per_scene: Dict[str, List[Tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for name, (bboxes, scores, labels) in detections.items():
        scene, rate, x, y = parse_patch_name(name)
        offset = np.array([x, y, x, y], np.float32)
        bboxes = (np.asarray(bboxes, np.float32).reshape(-1, 4) + offset) / np.float32(rate)
        per_scene.setdefault(scene, []).append(
            (bboxes, np.asarray(scores, np.float32).reshape(-1),
             np.asarray(labels, np.int64).reshape(-1)))
    merged = {}
    for scene, parts in per_scene.items():
        bboxes, scores, labels = (np.concatenate(p) for p in zip(*parts))
        if len(bboxes) == 0:
            merged[scene] = (bboxes, scores, labels)
            continue
        dets, keep = batched_nms(torch.from_numpy(bboxes), torch.from_numpy(scores),
                                 torch.from_numpy(labels), dict(type='nms', iou_threshold=iou_thr))
        merged[scene] = (dets[:, :4].numpy(), dets[:, 4].numpy(), labels[keep.numpy()])
    return merged
