from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce
from mmengine.logging import MessageHub
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class CMIDLocalHead(BaseModule):
    """DINO-style self-distillation on position-matched feature cells (CMID's local branch).

    ``match`` pairs each student cell of one view with the teacher cell of the other view that is
    nearest in the original image, and keeps the ``num_pairs`` closest pairs. ``loss`` is the
    cross-entropy between the sharpened, centred teacher distribution and the student's. The
    teacher temperature warms up linearly from ``warmup_teacher_temp`` to ``teacher_temp`` over
    ``warmup_teacher_temp_epochs`` epochs (or ``warmup_teacher_temp_iters`` iterations for
    iteration-based schedules), read from mmengine's MessageHub, never from hard-coded epochs.

    Args:
        out_channels: number of prototypes (the local neck's output size).
        num_pairs: matched pairs kept per image and direction (20 of 49 cells at 224 px).
        center_momentum: EMA momentum of the centre (batch mean of teacher outputs, all-reduced).
    """

    def __init__(self, out_channels: int = 2048, num_pairs: int = 20, student_temp: float = 0.1,
                 teacher_temp: float = 0.07, warmup_teacher_temp: float = 0.04,
                 warmup_teacher_temp_epochs: float = 50,
                 warmup_teacher_temp_iters: Optional[int] = None,
                 center_momentum: float = 0.9, init_cfg=None):
        super().__init__(init_cfg)
        self.num_pairs = num_pairs
        self.student_temp = student_temp
        self.teacher_temp = teacher_temp
        self.warmup_teacher_temp = warmup_teacher_temp
        self.warmup_teacher_temp_epochs = warmup_teacher_temp_epochs
        self.warmup_teacher_temp_iters = warmup_teacher_temp_iters
        self.center_momentum = center_momentum
        self.register_buffer('center', torch.zeros(1, out_channels))

    @staticmethod
    @torch.no_grad()
    def cell_centers(crop_boxes: torch.Tensor, grid_hw, view_hw) -> torch.Tensor:
        """Original-image (y, x) centres of the cells of a feature map, (N, gh * gw, 2).

        Args:
            crop_boxes: (N, 6) ``(top, left, height, width, hflip, vflip)`` per view, as given by
                ``CMIDTwoViews``: the view is that box of the original image, resized to
                ``view_hw`` and flipped.
            grid_hw: feature map size (gh, gw); cells are row-major like ``feat.flatten(2)``.
            view_hw: view size in pixels (H, W).
        """
        (gh, gw), (H, W) = grid_hw, view_hw
        top, left, h, w, hflip, vflip = crop_boxes.float().unbind(-1)
        ys = (torch.arange(gh, device=crop_boxes.device) + 0.5) * (H / gh)
        xs = (torch.arange(gw, device=crop_boxes.device) + 0.5) * (W / gw)
        ys, xs = torch.meshgrid(ys, xs, indexing='ij')
        ys, xs = ys.flatten()[None], xs.flatten()[None]  # view pixels, (1, gh * gw)
        # A flip shows at view position u what the unflipped view has at size - u.
        ys = torch.where(vflip[:, None] > 0, H - ys, ys)
        xs = torch.where(hflip[:, None] > 0, W - xs, xs)
        return torch.stack([top[:, None] + ys * (h[:, None] / H),
                            left[:, None] + xs * (w[:, None] / W)], dim=-1)

    @torch.no_grad()
    def match(self, student_coords: torch.Tensor,
              teacher_coords: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Indices of matched cells.

        Args:
            student_coords, teacher_coords: (B, N, 2) cell centres in original-image pixels.

        Returns:
            (student_idx, teacher_idx), each (B, num_pairs): pair ``p`` of image ``b`` is student
            cell ``student_idx[b, p]`` and its nearest teacher cell ``teacher_idx[b, p]``.
        """
        if self.num_pairs > student_coords.shape[1]:
            raise ValueError(f'local_head.num_pairs={self.num_pairs} exceeds the '
                             f'{student_coords.shape[1]} cells of the feature map')
        # The direct formula: the matrix-product one loses ~1e-4 px and so flips near-ties.
        dist = torch.cdist(student_coords, teacher_coords,
                           compute_mode='donot_use_mm_for_euclid_dist')
        nearest_dist, nearest_idx = dist.min(dim=2)
        student_idx = nearest_dist.argsort(dim=1, stable=True)[:, :self.num_pairs]
        return student_idx, nearest_idx.gather(1, student_idx)

    def teacher_temp_at(self, progress: float) -> float:
        """Teacher temperature after ``progress`` epochs (or iterations, see class doc)."""
        warmup = (self.warmup_teacher_temp_iters if self.warmup_teacher_temp_iters is not None
                  else self.warmup_teacher_temp_epochs)
        if warmup <= 0 or progress >= warmup:
            return self.teacher_temp
        return self.warmup_teacher_temp + (
            self.teacher_temp - self.warmup_teacher_temp) * progress / warmup

    def current_teacher_temp(self) -> float:
        hub = MessageHub.get_current_instance()
        cur_iter = hub.get_info('iter', 0)
        if self.warmup_teacher_temp_iters is not None:
            return self.teacher_temp_at(cur_iter)
        max_iters, max_epochs = hub.get_info('max_iters'), hub.get_info('max_epochs')
        if not max_iters or not max_epochs:  # outside a Runner: start of training
            return self.teacher_temp_at(hub.get_info('epoch', 0))
        return self.teacher_temp_at(cur_iter * max_epochs / max_iters)

    def loss(self, student_out: torch.Tensor, teacher_out: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of matched cells; ``*_out`` are (N, out_channels) prototype scores."""
        teacher_out = teacher_out.detach()
        target = F.softmax((teacher_out - self.center) / self.current_teacher_temp(), dim=-1)
        loss = torch.sum(-target * F.log_softmax(student_out / self.student_temp, dim=-1), dim=-1)
        self._update_center(teacher_out)
        return loss.mean()

    @torch.no_grad()
    def _update_center(self, teacher_out: torch.Tensor) -> None:
        stats = torch.cat([teacher_out.float().sum(0), teacher_out.new_tensor([len(teacher_out)]).float()])
        all_reduce(stats)  # sum over processes (no-op on one process)
        if not torch.isfinite(stats).all():  # never let one bad step poison the centre
            return
        batch_center = (stats[:-1] / stats[-1]).unsqueeze(0)
        self.center.mul_(self.center_momentum).add_(batch_center, alpha=1 - self.center_momentum)
