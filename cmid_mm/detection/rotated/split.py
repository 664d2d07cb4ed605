"""DOTA patch split / merge for oriented boxes (the horizontal-box version is
:mod:`cmid_mm.detection.dota_split`, whose windows, object clipping and patch names are reused).

Split: an object is kept in a patch when at least ``iof_thr`` of its polygon's area is inside;
a cut object's polygon is clipped to the patch with shapely and replaced by the minimum-area
rectangle of the visible part (objects entirely inside keep their polygon). Merge: patch
detections (``le90`` rotated boxes) go back to scene pixels and are deduplicated by class-wise
rotated NMS.

Command line (patches of every scene, empty ones included)::

    python tools/dataset_converters/dota_split.py data/DOTA/train data/DOTA-split-1024/train \
        --oriented --patch-size 1024 --gap 200
"""
from typing import Dict, Iterator, Sequence, Tuple

import numpy as np
import torch

from ..dota_split import Patch, objects_in_window, patch_detections_to_scenes, split_scene
from .boxes import batched_rotated_nms


def rotated_objects_in_window(polys: np.ndarray, window: Sequence[float],
                              iof_thr: float) -> Tuple[np.ndarray, np.ndarray]:
    """:func:`cmid_mm.detection.dota_split.objects_in_window` with oriented objects: indices of
    the kept objects ``(K,)`` and their polygons ``(K, 8)``, the original polygon when entirely
    inside, else the minimum-area rectangle of the clipped part."""
    return objects_in_window(polys, window, iof_thr, oriented=True)


def split_scene_rotated(image: np.ndarray, polys: np.ndarray, labels: Sequence[str],
                        difficult: Sequence[int], scene: str, patch_size: int = 1024,
                        gap: int = 200, rate: float = 1.0, iof_thr: float = 0.7,
                        pad_value: int = 0) -> Iterator[Patch]:
    """:func:`cmid_mm.detection.dota_split.split_scene` with oriented objects (see the module
    docstring); yields every window as a ``Patch`` (polygons in patch pixels)."""
    return split_scene(image, polys, labels, difficult, scene, patch_size, gap, rate, iof_thr,
                       pad_value, oriented=True)


def merge_rotated_patch_detections(
        detections: Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]],
        iou_thr: float = 0.1) -> Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Patch detections ``name -> (bboxes (N, 5) le90, scores, labels)`` in patch pixels ->
    ``scene -> (bboxes, scores, labels)`` in scene pixels, deduplicated by class-wise rotated
    NMS (0.1 as mmrotate's DOTA merge), by decreasing score."""
    merged = {}
    for scene, (bboxes, scores, labels) in patch_detections_to_scenes(detections, 5).items():
        dets, keep = batched_rotated_nms(torch.from_numpy(bboxes), torch.from_numpy(scores),
                                         torch.from_numpy(labels), iou_thr)
        merged[scene] = (dets[:, :5].numpy(), dets[:, 5].numpy(), labels[keep.numpy()])
    return merged
