"""Fuse the per-level features of the two dates into one feature pyramid."""
import torch
from mmengine.model import BaseModule
from mmseg.registry import MODELS


@MODELS.register_module()
class BitemporalFusionNeck(BaseModule):
    """Parameter-free fusion of date-A and date-B features, level by level.

    Args:
        policy (str): ``'concat'`` (A channels then B channels: 2C channels, order-sensitive; what
            ``BITHead`` expects), ``'diff'`` (B - A) or ``'abs_diff'`` (|A - B|, symmetric in the
            dates, so swapping them leaves the output unchanged).
    """
    POLICIES = ('concat', 'diff', 'abs_diff')

    def __init__(self, policy: str = 'concat', init_cfg=None):
        super().__init__(init_cfg)
        if policy not in self.POLICIES:
            raise ValueError(f"unknown fusion policy '{policy}', expected one of {self.POLICIES}")
        self.policy = policy

    def forward(self, feats_a, feats_b):
        if self.policy == 'concat':
            return tuple(torch.cat([a, b], dim=1) for a, b in zip(feats_a, feats_b))
        if self.policy == 'diff':
            return tuple(b - a for a, b in zip(feats_a, feats_b))
        return tuple((a - b).abs() for a, b in zip(feats_a, feats_b))
