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

    ``decoded_loss(decoder, feats, target, mask)`` is ``loss(decoder(feats), target, mask)``; with
    ``decode_masked_cells`` it decodes only what the loss reads, where that is exact: the spatial
    term reads the masked cells only, and the frequency term, on the batch-mean spectrum, reads
    the batch mean of the blended images, which an affine decoder gives from one weighted mean
    of the feature cells. Exact when every feature cell lies inside one mask block (32 px
    blocks, strides 32 and 16) and the frequency loss averages the spectrum; otherwise, or
    for a decoder without ``decode_cells``, it decodes every cell. It skips ~40 % of the
    decoder's products and the full-size loss maps (the ``dense-rec`` benchmark toggle undoes it).
    """

    #: the prediction's weight in the frequency term's blend on visible pixels (see above)
    VISIBLE_GRAD = 0.001

    def __init__(self, loss_spatial: dict = dict(type='FocalL1Loss'),
                 loss_freq: dict = dict(type='FocalFrequencyLoss'),
                 decode_masked_cells: bool = True, init_cfg=None):
        super().__init__(init_cfg)
        self.loss_spatial = MODELS.build(loss_spatial)
        self.loss_freq = MODELS.build(loss_freq) if loss_freq is not None else None
        self.decode_masked_cells = decode_masked_cells

    def loss(self, pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        mask = resize_block_mask(mask, target.shape[-2:]).to(pred.dtype)  # (2B, 1, H, W)
        losses = [self._view_loss(*view) for view in zip(pred.chunk(2), target.chunk(2), mask.chunk(2))]
        return sum(losses) / len(losses)

    def _view_loss(self, pred, target, mask):
        in_chans = target.shape[1]
        loss = (self.loss_spatial(pred, target) * mask).sum() / (mask.sum() + 1e-5) / in_chans
        if self.loss_freq is not None:
            keep = self.VISIBLE_GRAD
            visible = keep * pred + (1 - keep) * (0.5 * pred.detach() + 0.5 * target)
            loss = loss + self.loss_freq(pred * mask + visible * (1 - mask), target)
        return loss

    def decoded_loss(self, decoder, feats: torch.Tensor, target: torch.Tensor,
                     mask: torch.Tensor) -> torch.Tensor:
        """``loss(decoder(feats), target, mask)``, ``feats`` (2B, K, h, w) the student's last
        feature map; decoding only the cells the loss reads where that is exact."""
        cell_mask = self._cell_mask(decoder, feats, target, mask)
        if cell_mask is None:
            return self.loss(decoder(feats), target, mask)
        losses = [self._view_loss_of_cells(decoder, *view) for view in
                  zip(feats.chunk(2), target.chunk(2), cell_mask.to(feats.dtype).chunk(2))]
        return sum(losses) / len(losses)

    def _cell_mask(self, decoder, feats, target, mask):
        """The block mask on the feature grid (2B, h, w), or None where decoding the masked
        cells alone would not be exact (see the class docstring)."""
        freq = self.loss_freq
        if not (self.decode_masked_cells and hasattr(decoder, 'decode_cells')
                and (freq is None or (getattr(freq, 'ave_spectrum', False)
                                      and getattr(freq, 'spectrum_of_mean', True)))):
            return None
        (h, w), (H, W), (mh, mw) = feats.shape[-2:], target.shape[-2:], mask.shape[-2:]
        s = decoder.encoder_stride
        if (H, W) != (h * s, w * s) or H % mh or W % mw or (H // mh) % s or (W // mw) % s:
            return None
        return mask.repeat_interleave(h // mh, 1).repeat_interleave(w // mw, 2)

    def _view_loss_of_cells(self, decoder, feats, target, cell_mask):
        """``_view_loss`` of one view from the masked cells and one batch-mean decode."""
        (B, K, h, w), C, s = feats.shape, target.shape[1], decoder.encoder_stride
        cells = feats.permute(0, 2, 3, 1).reshape(B * h * w, K)
        # the target cut into the blocks the decoder fills: (B * h * w, C, s, s)
        blocks = target.reshape(B, C, h, s, w, s).permute(0, 2, 4, 1, 3, 5).reshape(-1, C, s, s)
        masked = cell_mask.reshape(-1).nonzero().squeeze(1)
        pred = decoder.decode_cells(cells[masked])
        loss = self.loss_spatial(pred, blocks[masked]).sum() / (
            masked.numel() * s * s + 1e-5) / C
        if self.loss_freq is None:
            return loss
        # the blend of _view_loss, averaged over the batch: the prediction with gradient weight
        # m + keep (1 - m) and value weight m + (keep + fill) (1 - m), fill = (1 - keep) / 2,
        # plus fill (1 - m) of the target
        keep = self.VISIBLE_GRAD
        fill = 0.5 * (1 - keep) * (1 - cell_mask)  # (B, h, w)
        grad_weight = cell_mask + keep * (1 - cell_mask)
        mean = decoder.decode_cells(*self._weighted_mean(cells, grad_weight))
        with torch.no_grad():
            mean_fill = decoder.decode_cells(*self._weighted_mean(cells, fill))
            target_fill = (blocks * fill.reshape(-1, 1, 1, 1)).view(B, h * w, C, s, s).mean(0)
        blend = (mean + (mean_fill + target_fill)).view(h, w, C, s, s)
        blend = blend.permute(2, 0, 3, 1, 4).reshape(1, C, h * s, w * s)
        return loss + self.loss_freq(blend, target.mean(0, keepdim=True))

    @staticmethod
    def _weighted_mean(cells, weight):
        """Batch means of the cells weighted per cell, and of the weights: (h * w, K), (h * w,)."""
        B = weight.shape[0]
        weight = weight.reshape(B, -1)
        mean = (cells.view(B, -1, cells.shape[-1]) * weight[..., None]).mean(0)
        return mean, weight.mean(0)
