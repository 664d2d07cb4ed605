from typing import Optional

import torch
from mmpretrain.models.backbones import SwinTransformer
from mmpretrain.models.utils import resize_pos_embed
from mmpretrain.registry import MODELS

from ..utils.mask_utils import resize_block_mask


@MODELS.register_module()
class CMIDSwinTransformer(SwinTransformer):
    """mmpretrain ``SwinTransformer`` that adds a mask token to masked patch embeddings.

    CMID adds the token (mmpretrain's ``SimMIMSwinTransformer`` substitutes it and owns it as a
    parameter, which would add a key). The token is passed in by the algorithm so the state dict
    stays identical to a plain ``SwinTransformer``.
    """

    @property
    def mask_token_dims(self) -> int:
        return self.embed_dims

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None,
                mask_token: Optional[torch.Tensor] = None):
        x, hw_shape = self.patch_embed(x)
        if mask is not None:
            w = resize_block_mask(mask, hw_shape).flatten(1).unsqueeze(-1)  # (B, L, 1)
            x = x + w * mask_token.view(1, 1, -1)
        if self.use_abs_pos_embed:
            x = x + resize_pos_embed(self.absolute_pos_embed, self.patch_resolution, hw_shape,
                                     self.interpolate_mode, self.num_extra_tokens)
        x = self.drop_after_pos(x)

        outs = []
        for i, stage in enumerate(self.stages):
            x, hw_shape = stage(x, hw_shape, do_downsample=self.out_after_downsample)
            if i in self.out_indices:
                out = getattr(self, f'norm{i}')(x)
                outs.append(out.view(-1, *hw_shape, self.num_features[i]).permute(0, 3, 1, 2).contiguous())
            if stage.downsample is not None and not self.out_after_downsample:
                x, hw_shape = stage.downsample(x, hw_shape)
        return tuple(outs)
