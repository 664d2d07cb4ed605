from typing import Tuple

import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class CMIDLocalHead(BaseModule):
    """DINO-style self-distillation on position-matched feature cells (CMID's local branch).

    ``matched_cells`` turns the crop boxes of the two views into pairs of cells: each student
    cell of one view and the teacher cell of the other view that is nearest in the original image
    (``cell_centers`` + ``match``), the ``num_pairs`` closest pairs kept. ``loss`` is the
    cross-entropy between the sharpened, centred teacher distribution and the student's; the
    head owns the centre.

    The teacher temperature of ``loss`` is ``current_teacher_temp``: ``TeacherTempWarmupHook``
    sets it before every training iteration (a linear warm-up to ``teacher_temp``, as the
    official code). Without that hook it stays ``teacher_temp``: a fixed temperature, no warm-up.

    Args:
        out_channels: number of prototypes (the local neck's output size).
        num_pairs: matched pairs kept per image and direction (20 of 49 cells at 224 px).
        teacher_temp: the teacher temperature after the warm-up (and without one).
        center_momentum: EMA momentum of the centre (batch mean of teacher outputs, all-reduced).
    """

    def __init__(self, out_channels: int = 2048, num_pairs: int = 20, student_temp: float = 0.1,
                 teacher_temp: float = 0.07, center_momentum: float = 0.9, init_cfg=None):
        super().__init__(init_cfg)
        self.num_pairs, self.center_momentum = num_pairs, center_momentum
        self.student_temp, self.teacher_temp = student_temp, teacher_temp
        self.current_teacher_temp = teacher_temp
        self.register_buffer('center', torch.zeros(1, out_channels))

    def matched_cells(self, student_feat: torch.Tensor, teacher_feat: torch.Tensor,
                      crop_boxes: torch.Tensor, view_hw) -> Tuple[torch.Tensor, torch.Tensor]:
        """Student cells of view a and their nearest teacher cells of view b != a, as (2B*P, C).

        Args:
            student_feat, teacher_feat: (2B, C, gh, gw) last feature maps of ``[view1; view2]``.
            crop_boxes: (2B, 6) boxes of the same views (see ``cell_centers``).
            view_hw: view size in pixels (H, W).
        """
        def other_view(t):
            return torch.cat(t.chunk(2)[::-1])

        coords = self.cell_centers(crop_boxes, student_feat.shape[-2:], view_hw)
        student_idx, teacher_idx = self.match(coords, other_view(coords))

        def gather(feat, idx):
            cells = feat.flatten(2).transpose(1, 2)  # (2B, N, C)
            idx = idx.unsqueeze(-1).expand(-1, -1, cells.shape[-1])
            return cells.gather(1, idx).flatten(0, 1)

        return gather(student_feat, student_idx), gather(other_view(teacher_feat), teacher_idx)

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

    def loss(self, student_out: torch.Tensor, teacher_out: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of matched cells; ``*_out`` are (N, out_channels) prototype scores."""
        teacher_out = teacher_out.detach()
        target = F.softmax((teacher_out - self.center) / self.current_teacher_temp, dim=-1)
        loss = torch.sum(-target * F.log_softmax(student_out / self.student_temp, dim=-1), dim=-1)
        self.last_target_stats = target_stats(target)
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


@torch.no_grad()
def target_stats(target: torch.Tensor) -> dict:
    """What the loss can be read against, from the (N, K) teacher targets of one step.

    ``blind_floor``: the entropy of the batch-mean target, i.e. the lowest loss a student that
    cannot tell its inputs apart can reach (it predicts that mean for every cell). It equals
    ``ln K`` only when the mean target is uniform; a loss under ``ln K`` but not under this
    floor shows a sharp or skewed teacher, not learning. ``target_entropy``: the mean entropy
    of one target (how sharp the teacher is). Tensors, so that reading them is the caller's sync.
    """
    target = target.float()
    mean = target.mean(0)
    return dict(blind_floor=-(mean * mean.clamp_min(1e-12).log()).sum(),
                target_entropy=-(target * target.clamp_min(1e-12).log()).sum(-1).mean())
