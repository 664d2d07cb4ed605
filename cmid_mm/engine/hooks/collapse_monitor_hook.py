"""Collapse monitor of CMID: spread and rank of the student embeddings, teacher-centre entropy."""
import math
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model


def normalized_std(z: torch.Tensor) -> float:
    """Per-dimension std of the L2-normalised rows of ``z`` (N, D), averaged, times ``sqrt(D)``.

    Rows spread uniformly over the sphere give about 1; all rows equal (collapse) give 0
    (SimSiam, Chen & He 2021, Sec. 4.1 uses the same statistic without the sqrt(D) scale).
    """
    z = F.normalize(z.float().flatten(1), dim=1)
    return (z.std(dim=0).mean() * math.sqrt(z.shape[1])).item()


def effective_rank(z: torch.Tensor) -> float:
    """``exp`` of the entropy of the normalised singular values of ``z`` (N, D) (Roy & Vetterli
    2007; RankMe, Garrido et al. 2023): 1 for a rank-one (collapsed) batch, up to min(N, D)."""
    s = torch.linalg.svdvals(F.normalize(z.float().flatten(1), dim=1))
    p = s / s.sum().clamp_min(1e-12)
    return math.exp(-(p * torch.log(p.clamp_min(1e-12))).sum().item())


def centre_entropy(center: torch.Tensor, temperature: float) -> float:
    """Entropy of ``softmax(center / temperature)`` divided by ``log K``: 1 when no prototype
    dominates the teacher's running mean output, near 0 when one does."""
    p = F.softmax(center.float().flatten() / temperature, dim=0)
    return (-(p * torch.log(p.clamp_min(1e-12))).sum() / math.log(p.numel())).item()


@HOOKS.register_module()
class CollapseMonitorHook(Hook):
    """Log collapse indicators of CMID every ``interval`` iterations; warn when they trip.

    The student embeddings are caught with forward hooks on ``model.global_neck`` (pooled,
    projected features, (2B, D)) and ``model.local_neck`` (matched cells, (2B*P, K)), only on the
    iterations that log (the CMID code is not touched). Logged to the MessageHub as
    ``train/collapse/{global,local}_std`` (:func:`normalized_std`),
    ``train/collapse/{global,local}_erank`` (:func:`effective_rank`) and
    ``train/collapse/centre_entropy`` (:func:`centre_entropy` of ``model.local_head.center`` at
    the head's final teacher temperature: the centre holds cosine-like scores in [-1, 1], whose
    plain softmax is uniform whatever they are), and from the local head's last step
    ``train/collapse/local_blind_floor`` / ``local_target_entropy`` (see
    ``cmid_local_head.target_stats``: the loss an input-blind student reaches, and the teacher's
    sharpness). Branches switched off are skipped.

    Warning thresholds (defaults): ``std < 0.05`` (embeddings within 5 % of a uniform spread's
    per-dimension std: nearly one point); ``erank < 0.05 * min(N, D)`` (the batch spans about
    a twentieth of the dimensions it could; 1.6 of 32 at batch 16); ``centre_entropy < 0.1``
    (one prototype dominates the teacher output: DINO's dominance collapse).
    """

    priority = 'NORMAL'  # before the LoggerHook: the values are logged in the same iteration

    def __init__(self, interval: int = 50, min_std: float = 0.05, min_rank_ratio: float = 0.05,
                 min_centre_entropy: float = 0.1):
        if interval < 1:
            raise ValueError(f'CollapseMonitorHook: interval={interval} must be >= 1')
        self.interval = interval
        self.min_std, self.min_rank_ratio = min_std, min_rank_ratio
        self.min_centre_entropy = min_centre_entropy
        self._armed = False
        self._captured: Dict[str, torch.Tensor] = {}
        self._handles: List = []
        self.last_stats: Optional[Dict[str, float]] = None
        self.last_warnings: List[str] = []

    def before_train(self, runner) -> None:
        model = get_ori_model(runner.model)
        for name in ('global', 'local'):
            neck = getattr(model, f'{name}_neck', None)
            if neck is not None:
                self._handles.append(neck.register_forward_hook(self._catcher(name)))

    def _catcher(self, name: str):
        def hook(module, args, output):
            if self._armed:
                out = output[0] if isinstance(output, (tuple, list)) else output
                self._captured[name] = out.detach()
        return hook

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        self._armed = self.every_n_train_iters(runner, self.interval)
        self._captured.clear()

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self._armed:
            self._armed = False
            self.check(runner)

    def after_train(self, runner) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def check(self, runner) -> Dict[str, float]:
        """Compute, log and judge the indicators from what the neck hooks caught."""
        stats, warnings = {}, []
        for name, z in self._captured.items():
            std, erank = normalized_std(z), effective_rank(z)
            max_rank = min(z.shape[0], z.flatten(1).shape[1])
            stats[f'{name}_std'], stats[f'{name}_erank'] = std, erank
            if std < self.min_std:
                warnings.append(f'{name} embeddings: normalised std {std:.4f} < {self.min_std} '
                                '(nearly the same vector for every input)')
            if erank < self.min_rank_ratio * max_rank:
                warnings.append(f'{name} embeddings: effective rank {erank:.2f} of at most '
                                f'{max_rank} (< {self.min_rank_ratio:g} x {max_rank})')
        head = getattr(get_ori_model(runner.model), 'local_head', None)
        if head is not None and hasattr(head, 'center'):
            ent = centre_entropy(head.center, head.teacher_temp)
            stats['centre_entropy'] = ent
            # the local loss's input-blind floor and the target sharpness of the last step
            for key, value in getattr(head, 'last_target_stats', {}).items():
                stats[f'local_{key}'] = float(value)
            if ent < self.min_centre_entropy:
                warnings.append(f'teacher centre entropy {ent:.4f} < {self.min_centre_entropy} '
                                '(one prototype dominates the teacher output)')
        for key, value in stats.items():
            runner.message_hub.update_scalar(f'train/collapse/{key}', value)
        for w in warnings:
            runner.logger.warning(f'possible collapse at iter {runner.iter + 1}: {w}')
        self._captured.clear()
        self.last_stats, self.last_warnings = stats, warnings
        return stats
