import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..utils.mask_utils import resize_block_mask


@MODELS.register_module()
class CMIDReconstructionHead(BaseModule):
    """Masked-pixel reconstruction loss of CMID: focal-L1 on masked pixels + focal frequency loss.

    ``loss(pred, target, mask)``: ``pred`` and ``target`` (2B, C, H, W) for ``[view1; view2]``,
    ``mask`` (2B, h, w) block mask. Each view's loss is computed on its own (the frequency loss
    averages the spectrum over a batch), then the two are averaged.

    Spatial term (as SimMIM reduces L1): element losses summed over masked pixels, divided by the
    number of masked pixel positions and by the number of channels. Frequency term: before the
    FFT, visible pixels of the prediction are pulled towards the target with a tiny gradient,
    ``0.001 * pred + 0.999 * (0.5 * pred.detach() + 0.5 * target)``, so the spectrum compares
    mostly the masked content; masked pixels keep the prediction.
    """

    def __init__(self, loss_spatial: dict = dict(type='FocalL1Loss'),
                 loss_freq: dict = dict(type='FocalFrequencyLoss'), init_cfg=None):
        super().__init__(init_cfg)
        self.loss_spatial = MODELS.build(loss_spatial)
        self.loss_freq = MODELS.build(loss_freq) if loss_freq is not None else None

    def loss(self, pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        mask = resize_block_mask(mask, target.shape[-2:]).to(pred.dtype)  # (2B, 1, H, W)
        losses = [self._view_loss(*view) for view in zip(pred.chunk(2), target.chunk(2), mask.chunk(2))]
        return sum(losses) / len(losses)

    def _view_loss(self, pred, target, mask):
        in_chans = target.shape[1]
        loss = (self.loss_spatial(pred, target) * mask).sum() / (mask.sum() + 1e-5) / in_chans
        if self.loss_freq is not None:
            visible = 0.001 * pred + 0.999 * (0.5 * pred.detach() + 0.5 * target)
            loss = loss + self.loss_freq(pred * mask + visible * (1 - mask), target)
        return loss
