"""Block masks of CMID: their resizing to a feature grid and the mean fill of masked pixels."""
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


def fill_masked_with_mean(images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Masked copy of ``images`` (N, C, H, W): pixels of masked blocks hold the per-image,
    per-channel mean. Normalisation is affine per channel, so filling after it is the same as
    filling the raw image before it."""
    w = resize_block_mask(masks, images.shape[-2:]).to(images.dtype)
    return images * (1 - w) + images.mean(dim=(2, 3), keepdim=True) * w
