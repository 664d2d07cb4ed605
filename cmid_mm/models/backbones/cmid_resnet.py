from typing import Optional

import torch
from mmpretrain.models.backbones import ResNet
from mmpretrain.registry import MODELS

from ..utils.mask_utils import resize_block_mask


@MODELS.register_module()
class CMIDResNet(ResNet):
    """mmpretrain ``ResNet`` that adds a mask token to masked positions of its stride-4 map.

    The token is *added* (not substituted) after the stem, as in CMID. It is owned by the algorithm
    and passed in, so this backbone has no parameter of its own: its state dict is key-for-key the
    one of a plain ``ResNet`` of the same depth.
    """

    @property
    def mask_token_dims(self) -> int:
        return self.stem_channels

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None,
                mask_token: Optional[torch.Tensor] = None):
        if self.deep_stem:
            x = self.stem(x)
        else:
            x = self.relu(self.norm1(self.conv1(x)))
        x = self.maxpool(x)
        if mask is not None:
            w = resize_block_mask(mask, x.shape[-2:])
            x = x + w * mask_token.view(1, -1, 1, 1)
        outs = []
        for i, layer_name in enumerate(self.res_layers):
            x = getattr(self, layer_name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
