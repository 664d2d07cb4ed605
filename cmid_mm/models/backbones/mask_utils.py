"""Helpers shared by the mask-token backbones."""
import torch
import torch.nn.functional as F


def resize_block_mask(mask: torch.Tensor, size) -> torch.Tensor:
    """Nearest-upsample a block mask (B, h, w) to a feature grid ``size`` -> (B, 1, H, W) float.

    Mask blocks (32 px) are multiples of every backbone's early stride (4 or 16), so nearest
    upsampling marks exactly the feature positions that lie inside masked blocks.
    """
    if mask.shape[-2:] == tuple(size):
        return mask.unsqueeze(1).float()
    return F.interpolate(mask.unsqueeze(1).float(), size=tuple(size), mode='nearest')
