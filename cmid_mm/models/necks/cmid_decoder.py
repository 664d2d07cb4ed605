import torch.nn as nn
from mmpretrain.models.necks import SimMIMLinearDecoder
from mmpretrain.registry import MODELS


@MODELS.register_module()
class CMIDLinearDecoder(SimMIMLinearDecoder):
    """SimMIM's 1x1 conv + PixelShuffle decoder, with the number of output bands configurable.

    mmpretrain's decoder always predicts 3 channels; multispectral CMID reconstructs N bands.
    """

    def __init__(self, in_channels: int, encoder_stride: int, out_channels: int = 3):
        super().__init__(in_channels=in_channels, encoder_stride=encoder_stride)
        self.decoder[0] = nn.Conv2d(in_channels, encoder_stride**2 * out_channels, kernel_size=1)
