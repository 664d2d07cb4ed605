"""Split large DOTA scenes into overlapping patches, and merge patch detections back.

DOTA scenes are up to ~20,000 px wide, so detectors train and infer on patches (1024 px with a
200 px overlap, the DOTA devkit's setting). Patch names follow the devkit's
``<scene>__<rate>__<x>___<y>`` so that detections can be mapped back to the scene, where
duplicates from overlapping patches are removed by mmcv's NMS. Used by
``tools/dataset_converters/dota_split.py`` / ``dota_merge.py`` (mmdet has no such tool; mmrotate's
needs BboxToolkit). With ``oriented=True`` a cut object keeps an oriented box (the oriented
splitter of :mod:`cmid_mm.detection.rotated.split`); the window layout is
:func:`cmid_mm.utils.tiling.window_starts`.
"""
import glob
import os
import os.path as osp
import pickle
import re
from functools import partial
from multiprocessing import Pool
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import cv2
import numpy as np
import shapely
import torch
from mmcv.ops import batched_nms

from ..utils.tiling import window_starts
from .dota import dump_dota_labels, load_dota_labels

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


def objects_in_window(polys: np.ndarray, window: Sequence[float], iof_thr: float,
                      oriented: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """Objects kept in a window and their polygons there (scene coordinates).

    An object is kept when at least ``iof_thr`` of its area is inside the window (intersection
    over the object's own area). Objects entirely inside keep their polygon; cut ones become the
    axis-aligned box around their visible part (written as 4 corners), or with ``oriented`` the
    minimum-area rectangle of it.

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
        if inside[idx]:
            continue
        if oriented:
            pts = shapely.get_coordinates(clipped[idx]).astype(np.float32)
            out[row] = cv2.boxPoints(cv2.minAreaRect(pts)).reshape(8)
        else:
            bx1, by1, bx2, by2 = shapely.bounds(clipped[idx])
            out[row] = (bx1, by1, bx2, by1, bx2, by2, bx1, by2)
    return keep, out


def split_scene(image: np.ndarray, polys: np.ndarray, labels: Sequence[str],
                difficult: Sequence[int], scene: str, patch_size: int = 1024, gap: int = 200,
                rate: float = 1.0, iof_thr: float = 0.7, pad_value: int = 0,
                oriented: bool = False) -> Iterator[Patch]:
    """Cut a scene (rescaled by ``rate``) into ``patch_size`` patches overlapping by ``gap``.

    Args:
        image (np.ndarray): ``H x W x C`` scene.
        polys (np.ndarray): ``(N, 8)`` object polygons in scene pixels.
        labels (Sequence[str]): N class names. difficult: N flags.
        iof_thr (float): Keep an object cut by the patch border when at least this fraction of
            its area is inside (0.7 as the DOTA devkit).
        oriented (bool): A cut object becomes an oriented box (else a horizontal one).

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
                                           iof_thr, oriented)
            kept -= np.tile(np.array([x, y], np.float32), 4)
            yield Patch(patch_name(scene, rate, x, y), x, y, patch, kept,
                        [labels[i] for i in keep], difficult[keep])


def patch_detections_to_scenes(
        detections: Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]],
        box_dim: int = 4) -> Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Patch detections ``name -> (bboxes, scores, labels)`` in patch pixels, grouped by scene in
    scene pixels (the patch origin added, the rate undone). ``box_dim``: 4 for ``x1 y1 x2 y2``
    boxes, 5 for ``le90`` rotated boxes ``cx cy w h angle``."""
    corners = 2 if box_dim == 4 else 1  # the points that move with the patch origin
    per_scene: Dict[str, List[Tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for name, (bboxes, scores, labels) in detections.items():
        scene, rate, x, y = parse_patch_name(name)
        bboxes = np.asarray(bboxes, np.float32).reshape(-1, box_dim).copy()
        bboxes[:, :2 * corners] += np.float32([x, y] * corners)
        bboxes[:, :4] /= np.float32(rate)
        per_scene.setdefault(scene, []).append(
            (bboxes, np.asarray(scores, np.float32).reshape(-1),
             np.asarray(labels, np.int64).reshape(-1)))
    return {scene: tuple(np.concatenate(p) for p in zip(*parts))
            for scene, parts in per_scene.items()}


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
    merged = {}
    for scene, (bboxes, scores, labels) in patch_detections_to_scenes(detections, 4).items():
        if len(bboxes) == 0:
            merged[scene] = (bboxes, scores, labels)
            continue
        dets, keep = batched_nms(torch.from_numpy(bboxes), torch.from_numpy(scores),
                                 torch.from_numpy(labels), dict(type='nms', iou_threshold=iou_thr))
        merged[scene] = (dets[:, :4].numpy(), dets[:, 4].numpy(), labels[keep.numpy()])
    return merged


def split_scene_file(img_path: str, label_dir: Optional[str], dst: str, patch_size: int = 1024,
                     gap: int = 200, rates: Sequence[float] = (1.0, ), iof_thr: float = 0.7,
                     oriented: bool = False) -> Tuple[int, int]:
    """Split one scene file (and its ``label_dir/<scene>.txt``, unless None) into
    ``dst/images/<patch>.png`` (+ ``dst/labelTxt/<patch>.txt``); returns (patches, objects)."""
    scene = osp.splitext(osp.basename(img_path))[0]
    image = cv2.imread(img_path, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'cannot read image {img_path}')
    if label_dir is None:
        polys, names, difficult = np.zeros((0, 8), np.float32), [], np.zeros(0, np.int64)
    else:
        polys, names, difficult = load_dota_labels(osp.join(label_dir, f'{scene}.txt'))
    n_patches = n_objects = 0
    for rate in rates:
        for patch in split_scene(image, polys, names, difficult, scene, patch_size, gap, rate,
                                 iof_thr, oriented=oriented):
            cv2.imwrite(osp.join(dst, 'images', f'{patch.name}.png'), patch.image)
            if label_dir is not None:
                dump_dota_labels(osp.join(dst, 'labelTxt', f'{patch.name}.txt'), patch.polys,
                                 patch.labels, patch.difficult)
            n_patches += 1
            n_objects += len(patch.labels)
    return n_patches, n_objects


def split_dota_folder(src: str, dst: str, img_suffix: str = 'png', nproc: int = 1,
                      **split_kwargs) -> Tuple[int, int, int, bool]:
    """Split every ``src/images/*.<img_suffix>`` scene (labels from ``src/labelTxt/`` when that
    folder exists: the unlabelled test split has none) into ``dst`` with
    :func:`split_scene_file` (``split_kwargs``), in ``nproc`` processes.

    Returns:
        tuple: (scenes, patches, objects written, whether labels were found).

    Raises:
        FileNotFoundError: no image, or an image without its label file.
        ValueError: an unreadable image or a bad label line.
    """
    img_dir, label_dir = osp.join(src, 'images'), osp.join(src, 'labelTxt')
    images = sorted(glob.glob(osp.join(img_dir, f'*.{img_suffix}')))
    if not images:
        raise FileNotFoundError(f'no *.{img_suffix} image in {img_dir}')
    labelled = osp.isdir(label_dir)
    if labelled:
        missing = [p for p in images if not osp.isfile(
            osp.join(label_dir, osp.splitext(osp.basename(p))[0] + '.txt'))]
        if missing:
            raise FileNotFoundError(f'{len(missing)} image(s) without a label file in '
                                    f'{label_dir}, e.g. {missing[0]}')
    for sub in ('images', 'labelTxt') if labelled else ('images', ):
        os.makedirs(osp.join(dst, sub), exist_ok=True)
    work = partial(split_scene_file, label_dir=label_dir if labelled else None, dst=dst,
                   **split_kwargs)
    if nproc > 1:
        with Pool(nproc) as pool:
            counts = list(pool.imap_unordered(work, images))
    else:
        counts = [work(p) for p in images]
    return (len(images), sum(c[0] for c in counts), sum(c[1] for c in counts), labelled)


def load_patch_detections(path: str) -> Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``{patch name: (bboxes, scores, labels)}`` from the pickled list of mmdet data samples
    that ``tools/test.py --out`` writes."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'results file not found: {path}')
    with open(path, 'rb') as f:
        samples = pickle.load(f)
    detections = {}
    for i, sample in enumerate(samples):
        if 'img_path' not in sample or 'pred_instances' not in sample:
            raise ValueError(f'{path}: item {i} has no img_path / pred_instances; expected the '
                             'pickle of tools/test.py --out on a detection config')
        pred = sample['pred_instances']
        name = osp.splitext(osp.basename(sample['img_path']))[0]
        detections[name] = tuple(np.asarray(pred[k]) for k in ('bboxes', 'scores', 'labels'))
    return detections


def write_dota_task2(merged: Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]],
                     classes: Sequence[str], out_dir: str) -> int:
    """Write scene detections (:func:`merge_patch_detections`) as the DOTA evaluation server's
    ``Task2_<class>.txt`` files (``<scene> <score> <xmin> <ymin> <xmax> <ymax>``, one per class,
    empty ones included); returns the number of boxes written."""
    lines = {c: [] for c in classes}
    for scene, (bboxes, scores, labels) in sorted(merged.items()):
        for box, score, label in zip(bboxes, scores, labels):
            if label >= len(classes):
                raise ValueError(f'label {label} has no name in the {len(classes)} classes')
            x1, y1, x2, y2 = box
            lines[classes[label]].append(
                f'{scene} {score:.4f} {x1:.1f} {y1:.1f} {x2:.1f} {y2:.1f}\n')
    os.makedirs(out_dir, exist_ok=True)
    for cls, rows in lines.items():
        with open(osp.join(out_dir, f'Task2_{cls}.txt'), 'w') as f:
            f.writelines(rows)
    return sum(map(len, lines.values()))
