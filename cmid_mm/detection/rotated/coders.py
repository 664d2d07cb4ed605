"""Box coders of Oriented R-CNN (Xie et al., ICCV 2021), registered in mmdet's TASK_UTILS.

* :class:`MidpointOffsetCoder` (oriented RPN): horizontal anchors ``x1 y1 x2 y2`` -> ``le90``
  rotated boxes through 6 deltas ``(dx, dy, dw, dh, da, db)``. An oriented box is its enclosing
  axis-aligned box ``(x, y, w, h)`` plus the offsets ``alpha`` / ``beta`` of its top-most /
  right-most vertex from the midpoints of the top / right edges of that box; the vertices are
  ``(x + alpha, y - h/2)``, ``(x + w/2, y + beta)`` and their reflections through the centre::

      dx = (x - xa) / wa, dy = (y - ya) / ha, dw = log(w / wa), dh = log(h / ha),
      da = alpha / w, db = beta / h.

  Decoding gives a parallelogram; its shorter diagonal is extended to the length of the longer
  one, which makes it a rectangle (the paper's step).
* :class:`DeltaXYWHTRBoxCoder` (RoI head): rotated proposals -> rotated boxes through
  ``(dx, dy, dw, dh, dt)``, the centre offset measured in the proposal's own frame, and the gt's
  (w, h) swapped with its angle turned by pi/2 when that brings the angle closer to the
  proposal's, so that ``|dt| <= pi/4``.
"""
import math
from typing import Optional, Sequence

import torch
from mmdet.models.task_modules.coders.base_bbox_coder import BaseBBoxCoder
from mmdet.registry import TASK_UTILS
from torch import Tensor

from .boxes import normalize_angle, normalize_rboxes, rboxes_to_polys


def _polys_to_rboxes_rect(polys: Tensor) -> Tensor:
    """``(N, 4, 2)`` rectangles (corners in order) -> ``le90`` boxes, differentiable."""
    center = polys.mean(1)
    w = (polys[:, 1] - polys[:, 0]).norm(dim=-1)
    h = (polys[:, 2] - polys[:, 1]).norm(dim=-1)
    edge = polys[:, 1] - polys[:, 0]
    angle = torch.atan2(edge[:, 1], edge[:, 0])
    return normalize_rboxes(torch.stack([center[:, 0], center[:, 1], w, h, angle], -1))


class _NormalizedCoder(BaseBBoxCoder):

    def __init__(self, target_means: Sequence[float], target_stds: Sequence[float],
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not len(target_means) == len(target_stds) == self.encode_size:
            raise ValueError(f'{type(self).__name__}: target_means and target_stds need '
                             f'{self.encode_size} values, got {target_means}, {target_stds}')
        self.means = tuple(float(m) for m in target_means)
        self.stds = tuple(float(s) for s in target_stds)

    def _normalize(self, deltas: Tensor) -> Tensor:
        return (deltas - deltas.new_tensor(self.means)) / deltas.new_tensor(self.stds)

    def _denormalize(self, deltas: Tensor) -> Tensor:
        return deltas * deltas.new_tensor(self.stds) + deltas.new_tensor(self.means)


@TASK_UTILS.register_module()
class MidpointOffsetCoder(_NormalizedCoder):
    """Horizontal anchors -> rotated boxes, 6 deltas (see the module docstring).

    Args:
        target_means, target_stds: Delta normalisation, 6 values each (the paper's stds are
            ``(1, 1, 1, 1, 0.5, 0.5)``).
        wh_ratio_clip (float): Clamp of ``|dw|``, ``|dh|`` at decoding, as mmdet's delta coder.
    """
    encode_size = 6

    def __init__(self, target_means: Sequence[float] = (0., ) * 6,
                 target_stds: Sequence[float] = (1., 1., 1., 1., .5, .5),
                 wh_ratio_clip: float = 16 / 1000, **kwargs) -> None:
        super().__init__(target_means, target_stds, **kwargs)
        self.wh_ratio_clip = wh_ratio_clip

    def encode(self, bboxes: Tensor, gt_bboxes: Tensor) -> Tensor:
        bboxes, gt_bboxes = bboxes.float(), gt_bboxes.float()
        polys = rboxes_to_polys(gt_bboxes).view(-1, 4, 2)
        xy_min, xy_max = polys.min(1).values, polys.max(1).values
        center, size = (xy_min + xy_max) / 2, xy_max - xy_min
        rows = torch.arange(len(polys), device=polys.device)
        top = polys[rows, polys[..., 1].argmin(1)]
        right = polys[rows, polys[..., 0].argmax(1)]
        alpha = top[:, 0] - center[:, 0]
        beta = right[:, 1] - center[:, 1]
        a_center = (bboxes[:, :2] + bboxes[:, 2:]) / 2
        a_size = bboxes[:, 2:] - bboxes[:, :2]
        deltas = torch.stack([
            (center[:, 0] - a_center[:, 0]) / a_size[:, 0],
            (center[:, 1] - a_center[:, 1]) / a_size[:, 1],
            torch.log(size[:, 0] / a_size[:, 0]),
            torch.log(size[:, 1] / a_size[:, 1]),
            alpha / size[:, 0],
            beta / size[:, 1],
        ], -1)
        return self._normalize(deltas)

    def decode(self, bboxes: Tensor, pred_bboxes: Tensor,
               max_shape: Optional[Sequence[int]] = None) -> Tensor:
        """``max_shape`` is accepted for mmdet's interface; rotated boxes are not clipped."""
        shape = pred_bboxes.shape[:-1]
        deltas = self._denormalize(pred_bboxes.reshape(-1, 6).float())
        bboxes = bboxes.reshape(-1, 4).float().expand(len(deltas), 4) \
            if bboxes.numel() == 4 else bboxes.reshape(-1, 4).float()
        clip = abs(math.log(self.wh_ratio_clip))
        a_center = (bboxes[:, :2] + bboxes[:, 2:]) / 2
        a_size = bboxes[:, 2:] - bboxes[:, :2]
        center = a_center + deltas[:, :2] * a_size
        size = a_size * deltas[:, 2:4].clamp(-clip, clip).exp()
        alpha = deltas[:, 4].clamp(-.5, .5) * size[:, 0]
        beta = deltas[:, 5].clamp(-.5, .5) * size[:, 1]
        x, y, w, h = center[:, 0], center[:, 1], size[:, 0], size[:, 1]
        v1 = torch.stack([x + alpha, y - h / 2], -1)
        v2 = torch.stack([x + w / 2, y + beta], -1)
        # half diagonals from the centre; stretch the shorter to the longer's length
        d1, d2 = v1 - center, v2 - center
        n1, n2 = d1.norm(dim=-1, keepdim=True), d2.norm(dim=-1, keepdim=True)
        longer = torch.maximum(n1, n2)
        d1 = d1 * longer / n1.clamp(min=1e-6)
        d2 = d2 * longer / n2.clamp(min=1e-6)
        polys = torch.stack([center + d1, center + d2, center - d1, center - d2], 1)
        return _polys_to_rboxes_rect(polys).view(*shape, 5)


@TASK_UTILS.register_module()
class DeltaXYWHTRBoxCoder(_NormalizedCoder):
    """Rotated proposals -> rotated boxes, 5 deltas (see the module docstring).

    Args:
        target_means, target_stds: 5 values each; the paper's stds ``(.1, .1, .2, .2, .1)``.
        wh_ratio_clip (float): Clamp of ``|dw|``, ``|dh|`` at decoding.
    """
    encode_size = 5

    def __init__(self, target_means: Sequence[float] = (0., ) * 5,
                 target_stds: Sequence[float] = (.1, .1, .2, .2, .1),
                 wh_ratio_clip: float = 16 / 1000, **kwargs) -> None:
        super().__init__(target_means, target_stds, **kwargs)
        self.wh_ratio_clip = wh_ratio_clip

    def encode(self, bboxes: Tensor, gt_bboxes: Tensor) -> Tensor:
        p, g = bboxes.float(), gt_bboxes.float()
        px, py, pw, ph, pa = p.unbind(-1)
        gx, gy, gw, gh, ga = g.unbind(-1)
        dt1 = normalize_angle(ga - pa)
        dt2 = normalize_angle(ga + math.pi / 2 - pa)
        swap = dt2.abs() < dt1.abs()
        gw, gh = torch.where(swap, gh, gw), torch.where(swap, gw, gh)
        dt = torch.where(swap, dt2, dt1)
        cos, sin = torch.cos(pa), torch.sin(pa)
        ox, oy = gx - px, gy - py
        deltas = torch.stack([(cos * ox + sin * oy) / pw, (-sin * ox + cos * oy) / ph,
                              torch.log(gw / pw), torch.log(gh / ph), dt], -1)
        return self._normalize(deltas)

    def decode(self, bboxes: Tensor, pred_bboxes: Tensor,
               max_shape: Optional[Sequence[int]] = None) -> Tensor:
        """``max_shape`` is accepted for mmdet's interface; rotated boxes are not clipped."""
        shape = pred_bboxes.shape[:-1]
        d = self._denormalize(pred_bboxes.reshape(-1, 5).float())
        p = bboxes.reshape(-1, 5).float()
        px, py, pw, ph, pa = p.unbind(-1)
        clip = abs(math.log(self.wh_ratio_clip))
        dx, dy, dw, dh, dt = d.unbind(-1)
        cos, sin = torch.cos(pa), torch.sin(pa)
        gx = px + dx * pw * cos - dy * ph * sin
        gy = py + dx * pw * sin + dy * ph * cos
        gw = pw * dw.clamp(-clip, clip).exp()
        gh = ph * dh.clamp(-clip, clip).exp()
        out = torch.stack([gx, gy, gw, gh, pa + dt], -1)
        return normalize_rboxes(out).view(*shape, 5)
