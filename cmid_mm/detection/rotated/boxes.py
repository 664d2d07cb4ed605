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
from mmcv.ops import batched_nms, box_iou_rotated

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


def rbox_iou(boxes1: torch.Tensor, boxes2: torch.Tensor, mode: str = 'iou',
             aligned: bool = False) -> torch.Tensor:
    """IoU (or IoF) of rotated boxes, ``(N, 5) x (M, 5) -> (N, M)`` (``(N,)`` when aligned).

    mmcv's ``box_iou_rotated`` returns arbitrary values (even > 1) for degenerate boxes (a side
    under ``1e-3`` px, e.g. a collapsed midpoint-offset proposal): those get 0, and the result is
    clamped to ``[0, 1]``. Known mmcv limitation kept: two boxes equal up to ~1e-6 px with
    parallel edges can get a too-low IoU.
    """
    if boxes1.numel() == 0 or boxes2.numel() == 0:
        shape = (len(boxes1),) if aligned else (len(boxes1), len(boxes2))
        return boxes1.new_zeros(shape)
    ious = box_iou_rotated(boxes1.float(), boxes2.float(), mode=mode, aligned=aligned,
                           clockwise=True).clamp(0, 1)
    ok1 = boxes1[:, 2:4].min(1).values >= 1e-3
    ok2 = boxes2[:, 2:4].min(1).values >= 1e-3
    valid = ok1 & ok2 if aligned else ok1[:, None] & ok2[None, :]
    return ious * valid


def batched_rotated_nms(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor,
                        iou_thr: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Rotated NMS applied independently per ``idxs`` value (class), via mmcv's class offsets.

    Returns:
        tuple: ``(N', 6)`` kept boxes with their score, and their indices, by decreasing score.
    """
    if boxes.numel() == 0:
        return boxes.new_zeros((0, 6)), boxes.new_zeros((0,), dtype=torch.long)
    return batched_nms(boxes, scores, idxs, dict(type='nms_rotated', iou_threshold=iou_thr))


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
