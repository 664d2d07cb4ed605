"""Rotated boxes: one representation, conversions, IoU / NMS on mmcv's rotated ops, geometry.

A rotated box is ``(cx, cy, w, h, angle)`` in pixels and radians, in mmrotate's ``le90``
convention:

* the angle is the rotation of the box's ``w`` edge from the image x axis, **clockwise on the
  screen** (image y points down), i.e. a corner offset ``(dx, dy)`` in the box frame lands at
  ``(cx + dx cos a - dy sin a, cy + dx sin a + dy cos a)``; this is mmcv's ``clockwise=True``
  (``box_iou_rotated``, ``nms_rotated``, ``RoIAlignRotated``);
* ``w >= h`` (``w`` is the long edge) and ``angle`` lies in ``[-pi/2, pi/2)``.

:func:`normalize_rboxes` brings any ``(cx, cy, w, h, a)`` to that form without changing the
rectangle; every function here returning boxes returns them normalised. Functions accept numpy
arrays or torch tensors and return the same kind.
"""
import math
from typing import Sequence, Tuple, Union

import cv2
import numpy as np
import torch
from mmcv.ops import box_iou_rotated

Array = Union[np.ndarray, torch.Tensor]


def _lib(x: Array):
    return torch if isinstance(x, torch.Tensor) else np


def normalize_angle(angle: Array) -> Array:
    """Wrap angles (radians) into ``[-pi/2, pi/2)`` (a rectangle is symmetric under pi)."""
    return (angle + math.pi / 2) % math.pi - math.pi / 2


def normalize_rboxes(boxes: Array) -> Array:
    """Any ``(..., 5)`` rotated boxes -> ``le90``: long edge first, angle in ``[-pi/2, pi/2)``."""
    xp = _lib(boxes)
    cx, cy, w, h, a = (boxes[..., i] for i in range(5))
    swap = w < h
    w_, h_ = xp.where(swap, h, w), xp.where(swap, w, h)
    a = normalize_angle(xp.where(swap, a + math.pi / 2, a))
    return xp.stack([cx, cy, w_, h_, a], -1)


def rboxes_to_polys(boxes: Array) -> Array:
    """``(..., 5)`` rotated boxes -> ``(..., 8)`` corners ``x1 y1 ... x4 y4`` (clockwise on screen,
    starting at the box-frame corner ``(-w/2, -h/2)``)."""
    xp = _lib(boxes)
    cx, cy, w, h, a = (boxes[..., i] for i in range(5))
    cos, sin = xp.cos(a), xp.sin(a)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        dx, dy = sx * w / 2, sy * h / 2
        corners += [cx + dx * cos - dy * sin, cy + dx * sin + dy * cos]
    return xp.stack(corners, -1)


def polys_to_rboxes(polys: np.ndarray) -> np.ndarray:
    """``(N, 8)`` quadrilaterals -> ``(N, 5)`` ``le90`` boxes: the minimum-area enclosing
    rectangle (``cv2.minAreaRect``, as mmrotate does for DOTA's not-quite-rectangles)."""
    polys = np.asarray(polys, np.float32).reshape(-1, 4, 2)
    out = np.zeros((len(polys), 5), np.float32)
    for i, pts in enumerate(polys):
        (cx, cy), (w, h), deg = cv2.minAreaRect(pts)
        out[i] = (cx, cy, w, h, math.radians(deg))
    return normalize_rboxes(out).astype(np.float32)


def rboxes_to_hboxes(boxes: Array) -> Array:
    """``(..., 5)`` rotated boxes -> ``(..., 4)`` enclosing axis-aligned ``x1 y1 x2 y2``."""
    xp = _lib(boxes)
    cx, cy, w, h, a = (boxes[..., i] for i in range(5))
    cos, sin = xp.abs(xp.cos(a)), xp.abs(xp.sin(a))
    half_w = (w * cos + h * sin) / 2
    half_h = (w * sin + h * cos) / 2
    return xp.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], -1)


def hboxes_to_rboxes(boxes: Array) -> Array:
    """``(..., 4)`` ``x1 y1 x2 y2`` -> ``(..., 5)`` ``le90`` boxes with angle 0 (or -pi/2 when
    taller than wide)."""
    xp = _lib(boxes)
    x1, y1, x2, y2 = (boxes[..., i] for i in range(4))
    zeros = xp.zeros_like(x1)
    return normalize_rboxes(xp.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, zeros], -1))


def _clip_area(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Area of the intersection of convex quadrilaterals ``p`` and ``q`` ``(P, 4, 2)`` (corners in
    :func:`rboxes_to_polys` order: interior on the left of each edge in y-down coordinates):
    Sutherland-Hodgman clipping of ``p`` by ``q``'s four edges, vectorised with at most 8
    vertices per polygon. Continuous in the corners, so nearly coincident edges are harmless."""
    num, size = p.shape[0], 8
    poly = p.new_zeros(num, size, 2)
    poly[:, :4] = p
    count = torch.full((num, ), 4, dtype=torch.long, device=p.device)
    slots = torch.arange(size, device=p.device)[None]

    def following(count):
        return torch.where(slots + 1 < count[:, None], slots + 1, torch.zeros_like(slots))

    for e in range(4):
        start, edge = q[:, e, None], (q[:, (e + 1) % 4] - q[:, e])[:, None]
        side = edge[..., 0] * (poly[..., 1] - start[..., 1]) - \
            edge[..., 1] * (poly[..., 0] - start[..., 0])  # >= 0: inside
        nxt = following(count)
        side_next = side.gather(1, nxt)
        valid = slots < count[:, None]
        crossing = valid & ((side >= 0) != (side_next >= 0))
        t = torch.where(crossing, side / torch.where(crossing, side - side_next, 1.), 0.)
        cut = poly + t[..., None] * (poly.gather(1, nxt[..., None].expand(-1, -1, 2)) - poly)
        # each vertex emits itself if inside, then the edge's crossing point if any
        candidates = torch.stack([poly, cut], 2).reshape(num, 2 * size, 2)
        emit = torch.stack([valid & (side >= 0), crossing], 2).reshape(num, 2 * size)
        pos = torch.where(emit, emit.long().cumsum(1) - 1, size)  # slot `size`: discarded
        out = p.new_zeros(num, size + 1, 2)
        out.scatter_(1, pos[..., None].expand(-1, -1, 2), candidates)
        poly, count = out[:, :size], emit.sum(1).clamp(max=size)
    nxt = poly.gather(1, following(count)[..., None].expand(-1, -1, 2))
    cross = poly[..., 0] * nxt[..., 1] - poly[..., 1] * nxt[..., 0]
    return (cross * (slots < count[:, None])).sum(1) / 2


def _exact_pair_iou(boxes1: torch.Tensor, boxes2: torch.Tensor, mode: str) -> torch.Tensor:
    """IoU / IoF of aligned pairs by polygon clipping in float64, about the pairs' midpoint."""
    b1, b2 = boxes1.double(), boxes2.double()
    mid = (b1[:, :2] + b2[:, :2]) / 2
    b1 = torch.cat([b1[:, :2] - mid, b1[:, 2:]], 1)
    b2 = torch.cat([b2[:, :2] - mid, b2[:, 2:]], 1)
    inter = _clip_area(rboxes_to_polys(b1).view(-1, 4, 2), rboxes_to_polys(b2).view(-1, 4, 2))
    area1 = b1[:, 2] * b1[:, 3]
    base = area1 if mode == 'iof' else area1 + b2[:, 2] * b2[:, 3] - inter
    return (inter / base.clamp(min=1e-12)).float()


def _near_boundary(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """Pairs where a corner of one box lies within ``1e-4 x`` the larger side (at least 1e-3 px)
    of an edge line of the other: where mmcv's ``box_iou_rotated`` can be wrong."""
    p1, p2 = (rboxes_to_polys(b.double()).view(-1, 4, 2) for b in (boxes1, boxes2))
    tol = torch.maximum(boxes1[:, 2:4].amax(1), boxes2[:, 2:4].amax(1)).double() * 1e-4
    tol = tol.clamp(min=1e-3)

    def corner_to_lines(p, q):
        edge = torch.roll(q, -1, 1) - q
        unit = edge / edge.norm(dim=-1, keepdim=True).clamp(min=1e-12)
        rel = p[:, :, None] - q[:, None]  # (P, corner, edge, 2)
        dist = unit[:, None, :, 0] * rel[..., 1] - unit[:, None, :, 1] * rel[..., 0]
        return dist.abs().flatten(1).amin(1)

    return torch.minimum(corner_to_lines(p1, p2), corner_to_lines(p2, p1)) < tol


def rbox_iou(boxes1: torch.Tensor, boxes2: torch.Tensor, mode: str = 'iou',
             aligned: bool = False) -> torch.Tensor:
    """IoU (or IoF) of rotated boxes, ``(N, 5) x (M, 5) -> (N, M)`` (``(N,)`` when aligned).

    mmcv's ``box_iou_rotated`` on the pairs whose enclosing horizontal boxes overlap (the others
    are 0), with two workarounds:

    * it is wrong (errors up to 1, in both directions) when a corner of one box lies on or
      within ~1e-3 px of an edge line of the other: boxes equal up to float rounding (a box
      shifted into scene pixels and back), parallel boxes sharing an edge line (axis-aligned
      neighbours, a box and its extension), two boxes sharing a corner (mmcv issue #2621, open
      in mmcv 2.1). Those pairs are recomputed exactly by polygon clipping in float64;
    * it returns arbitrary values (even > 1) for degenerate boxes (a side under ``1e-3`` px,
      e.g. a collapsed midpoint-offset proposal): those get 0, and the result is clamped to
      ``[0, 1]``.
    """
    n, m = len(boxes1), len(boxes2)
    out = boxes1.new_zeros((n, ) if aligned else (n, m), dtype=torch.float32)
    if n == 0 or m == 0:
        return out
    b1, b2 = boxes1[:, :5].float(), boxes2[:, :5].float()
    h1, h2 = rboxes_to_hboxes(b1), rboxes_to_hboxes(b2)
    ok1, ok2 = b1[:, 2:4].amin(1) >= 1e-3, b2[:, 2:4].amin(1) >= 1e-3
    if aligned:
        overlap = ((h1[:, :2] < h2[:, 2:]) & (h2[:, :2] < h1[:, 2:])).all(1) & ok1 & ok2
    else:
        overlap = ((h1[:, None, :2] < h2[None, :, 2:]) &
                   (h2[None, :, :2] < h1[:, None, 2:])).all(2) & ok1[:, None] & ok2[None]
    idx = overlap.nonzero(as_tuple=True)
    i, j = (idx[0], idx[0]) if aligned else idx
    if len(i) == 0:
        return out
    chunk = 1 << 16  # pairs at a time: the boundary check holds 32 float64 values per pair
    out[idx] = torch.cat([_pair_iou(b1[i[k:k + chunk]], b2[j[k:k + chunk]], mode)
                          for k in range(0, len(i), chunk)]).clamp(0, 1)
    return out


def _pair_iou(p1: torch.Tensor, p2: torch.Tensor, mode: str) -> torch.Tensor:
    """mmcv's IoU of aligned pairs, exact where it can be wrong (see :func:`rbox_iou`)."""
    ious = box_iou_rotated(p1, p2, mode=mode, aligned=True, clockwise=True)
    fix = _near_boundary(p1, p2)
    if fix.any():
        ious[fix] = _exact_pair_iou(p1[fix], p2[fix], mode)
    return ious


def rotated_nms(boxes: torch.Tensor, scores: torch.Tensor, iou_thr: float) -> torch.Tensor:
    """Greedy NMS on :func:`rbox_iou` (mmcv's ``nms_rotated`` shares the IoU flaw that
    :func:`rbox_iou` works around): indices of the kept boxes by decreasing score; a box is
    dropped when its IoU with a kept, higher-scoring box exceeds ``iou_thr``. Each kept box is
    compared with the boxes still alive only, as mmcv does."""
    order = torch.sort(scores, descending=True, stable=True).indices
    ranked = boxes[order]
    hboxes = rboxes_to_hboxes(ranked[:, :5].float())
    touching = ((hboxes[:, None, :2] < hboxes[None, :, 2:]) &
                (hboxes[None, :, :2] < hboxes[:, None, 2:])).all(2)  # else IoU 0
    alive = torch.ones(len(order), dtype=torch.bool, device=boxes.device)
    keep = []
    for k in range(len(order)):
        if not alive[k]:
            continue
        keep.append(k)
        rest = torch.nonzero(alive[k + 1:] & touching[k, k + 1:]).view(-1) + k + 1
        if len(rest):
            alive[rest[rbox_iou(ranked[k:k + 1], ranked[rest])[0] > iou_thr]] = False
    return order[torch.as_tensor(keep, dtype=torch.long, device=order.device)]


def batched_rotated_nms(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor,
                        iou_thr: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """:func:`rotated_nms` applied independently per ``idxs`` value (class).

    Returns:
        tuple: ``(N', 6)`` kept boxes with their score, and their indices, by decreasing score.
    """
    if boxes.numel() == 0:
        return boxes.new_zeros((0, 6)), boxes.new_zeros((0, ), dtype=torch.long)
    keep = torch.cat([torch.nonzero(idxs == c).view(-1)[rotated_nms(
        boxes[idxs == c], scores[idxs == c], iou_thr)] for c in torch.unique(idxs)])
    keep = keep[torch.sort(scores[keep], descending=True, stable=True).indices]
    return torch.cat([boxes[keep], scores[keep, None]], 1), keep


def multiclass_rotated_nms(bboxes: torch.Tensor, scores: torch.Tensor, score_thr: float,
                           iou_thr: float, max_num: int = -1
                           ) -> Tuple[torch.Tensor, torch.Tensor]:
    """mmdet's ``multiclass_nms`` for rotated boxes on :func:`batched_rotated_nms`.

    Args:
        bboxes: ``(N, 5)`` (class-agnostic) or ``(N, 5 * C)``.
        scores: ``(N, C + 1)``, the last column the background.

    Returns:
        tuple: ``(K, 6)`` boxes with their score and ``(K,)`` labels, by decreasing score.
    """
    num_classes = scores.size(1) - 1
    bboxes = bboxes.view(len(bboxes), -1, 5).expand(-1, num_classes, 5).reshape(-1, 5)
    labels = torch.arange(num_classes, device=scores.device).repeat(len(scores))
    scores = scores[:, :-1].reshape(-1)
    valid = scores > score_thr
    dets, keep = batched_rotated_nms(bboxes[valid], scores[valid], labels[valid], iou_thr)
    if max_num > 0:
        dets, keep = dets[:max_num], keep[:max_num]
    return dets, labels[valid][keep]


# Geometry. Coordinates are continuous (a pixel i spans [i, i + 1)), so a horizontal flip of an
# image W wide maps x to W - x, as mmdet's HorizontalBoxes.flip_.

def rescale_rboxes(boxes: np.ndarray, scale_factor: Sequence[float]) -> np.ndarray:
    """Scale by ``(sx, sy)``. Exact for ``sx == sy``; otherwise the scaled rectangle is a
    parallelogram and the minimum-area rectangle around it is returned."""
    sx, sy = float(scale_factor[0]), float(scale_factor[1])
    boxes = np.asarray(boxes, np.float32).reshape(-1, 5)
    if math.isclose(sx, sy, rel_tol=1e-6):
        out = boxes.copy()
        out[:, :4] *= sx
        return out
    polys = rboxes_to_polys(boxes) * np.tile(np.float32([sx, sy]), 4)
    return polys_to_rboxes(polys)


def flip_rboxes(boxes: np.ndarray, img_shape: Tuple[int, int], direction: str) -> np.ndarray:
    """Flip in an image of ``img_shape`` ``(H, W)``: ``'horizontal'``, ``'vertical'`` or
    ``'diagonal'`` (both, i.e. a 180 degree rotation, as mmcv's ``imflip``)."""
    height, width = img_shape[:2]
    out = np.asarray(boxes, np.float32).reshape(-1, 5).copy()
    if direction in ('horizontal', 'diagonal'):
        out[:, 0] = width - out[:, 0]
    if direction in ('vertical', 'diagonal'):
        out[:, 1] = height - out[:, 1]
    if direction in ('horizontal', 'vertical'):
        out[:, 4] = -out[:, 4]
    elif direction != 'diagonal':
        raise ValueError(f"flip direction must be 'horizontal', 'vertical' or 'diagonal', got "
                         f'{direction!r}')
    return normalize_rboxes(out)


def rotate90_rboxes(boxes: np.ndarray, img_shape: Tuple[int, int], k: int = 1) -> np.ndarray:
    """Rotate by ``k`` quarter turns clockwise on the screen, as the image
    ``np.rot90(img, -k)`` (of shape ``(W, H)`` for odd ``k``); ``img_shape`` is ``(H, W)``
    before the rotation."""
    height, width = img_shape[:2]
    out = np.asarray(boxes, np.float32).reshape(-1, 5).copy()
    for _ in range(k % 4):
        # (x, y) in an H x W image -> (H - y, x) in the W x H image
        out[:, 0], out[:, 1] = height - out[:, 1], out[:, 0].copy()
        out[:, 4] += math.pi / 2
        height, width = width, height
    return normalize_rboxes(out)
