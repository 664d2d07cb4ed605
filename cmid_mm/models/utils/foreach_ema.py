"""mmpretrain's ``CosineEMA`` with the update of all parameters as one ``torch._foreach_lerp_``.

``CosineEMA.avg_func`` runs ``mul_`` then ``add_`` on every parameter: two passes over the
teacher's weights (a ResNet-50 teacher with CMID's necks holds ~38M), each a separate kernel
per tensor. ``lerp_`` over the list does it in one pass. ``lerp`` rounds as ``a + w (b - a)``,
not ``a (1 - w) + w b``: the same average to float rounding, not bitwise.
"""
from math import cos, pi

import torch
from mmengine.logging import MessageHub
from mmpretrain.models.utils import CosineEMA


class ForeachCosineEMA(CosineEMA):
    """``CosineEMA`` (same arguments, state and schedule); ``foreach = False`` runs the parent's
    per-parameter update (for comparisons)."""

    foreach = True

    def momentum_at(self, steps: int) -> float:
        """``CosineEMA``'s weight of the source model at update ``steps``: ``momentum`` at the
        start, ``end_momentum`` at the MessageHub's ``max_iters``, along a cosine."""
        max_iters = MessageHub.get_current_instance().get_info('max_iters')
        cosine_annealing = (cos(pi * steps / float(max_iters)) + 1) / 2
        return self.end_momentum - (self.end_momentum - self.momentum) * cosine_annealing

    def update_parameters(self, model: torch.nn.Module) -> None:
        steps = int(self.steps)
        if not self.foreach or self.update_buffers or steps == 0 or steps % self.interval:
            return super().update_parameters(model)  # the first copy, or no update this step
        source = dict(model.named_parameters())
        pairs = [(avg.data, source[name].data.to(avg.device))
                 for name, avg in self.avg_parameters.items() if avg.dtype.is_floating_point]
        if pairs:
            averaged, current = map(list, zip(*pairs))
            torch._foreach_lerp_(averaged, current, self.momentum_at(steps))
        for b_avg, b_src in zip(self.module.buffers(), model.buffers()):  # as the parent
            b_avg.data.copy_(b_src.data.to(b_avg.device))
        self.steps += 1
