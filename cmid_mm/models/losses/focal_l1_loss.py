import torch
import torch.nn as nn
from mmpretrain.registry import MODELS


@MODELS.register_module()
class FocalL1Loss(nn.Module):
    """Focal L1: ``|e| * (2 * sigmoid(beta * |e|) - 1) ** gamma`` per element, ``e = pred - target``.

    Large errors keep almost their L1 weight, small ones are down-weighted (CMID's spatial
    reconstruction term). Returns the element-wise loss; the caller reduces it over the mask.
    No OpenMMLab library ships this loss.
    """

    def __init__(self, beta: float = 0.2, gamma: float = 1.0):
        super().__init__()
        self.beta = beta
        self.gamma = gamma

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        err = (pred - target).abs()
        return err * (2 * torch.sigmoid(self.beta * err) - 1) ** self.gamma
