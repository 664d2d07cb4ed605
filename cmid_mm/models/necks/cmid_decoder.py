from typing import Optional

import torch
import torch.nn as nn
from mmpretrain.models.necks import SimMIMLinearDecoder
from mmpretrain.registry import MODELS

from ..utils.onednn_linear import applies, linear


@MODELS.register_module()
class CMIDLinearDecoder(SimMIMLinearDecoder):
    """SimMIM's 1x1 conv + PixelShuffle decoder, with the number of output bands configurable.

    mmpretrain's decoder always predicts 3 channels; multispectral CMID reconstructs N bands.
    On CPU in fp32 the 1x1 convolution runs as one oneDNN product over the feature cells (the
    same weights: oneDNN's 1x1 convolution backward ran at half its forward rate here, see
    ``cmid_mm.models.utils.onednn_linear``).
    """

    def __init__(self, in_channels: int, encoder_stride: int, out_channels: int = 3):
        super().__init__(in_channels=in_channels, encoder_stride=encoder_stride)
        self.decoder[0] = nn.Conv2d(in_channels, encoder_stride**2 * out_channels, kernel_size=1)
        self.encoder_stride = encoder_stride
        self.out_channels = out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        conv, shuffle = self.decoder
        if not applies(x):
            return self.decoder(x)
        cells = linear(x.permute(0, 2, 3, 1), conv.weight.flatten(1), conv.bias)  # (N, H, W, C')
        return shuffle(cells.permute(0, 3, 1, 2))

    def decode_cells(self, cells: torch.Tensor,
                     bias_weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The decoder at some feature cells: (M, in_channels) -> (M, out_channels, s, s) pixel
        blocks, ``s`` the encoder stride (the block each cell's output fills in ``forward``).

        ``bias_weight`` (M,) scales the bias per cell: ``W x + w b``, so a weighted mean of
        cells decodes to the same weighted mean of their outputs (the decoder is affine).
        """
        conv = self.decoder[0]
        bias = conv.bias if bias_weight is None else None
        out = linear(cells, conv.weight.flatten(1), bias)
        if bias_weight is not None:
            out = out + bias_weight[:, None].to(out.dtype) * conv.bias
        s = self.encoder_stride
        return out.view(-1, self.out_channels, s, s)
