from typing import Optional

import torch
from mmpretrain.models.backbones import VisionTransformer
from mmpretrain.models.utils import resize_pos_embed
from mmpretrain.registry import MODELS

from ..utils.mask_utils import resize_block_mask


@MODELS.register_module()
class CMIDVisionTransformer(VisionTransformer):
    """mmpretrain ``VisionTransformer`` whose masked patch embeddings are replaced by a mask token.

    The official CMID has no ViT; the replacement follows SimMIM (a ViT has no stride-4 map to add
    a token to). Defaults to ``out_type='featmap'`` so the last layer gives a (B, C, H/16, W/16)
    map like the CNN stages. The token is passed in by the algorithm: state-dict keys are those of
    a plain ``VisionTransformer``.
    """

    def __init__(self, *args, out_type: str = 'featmap', **kwargs):
        super().__init__(*args, out_type=out_type, **kwargs)

    @property
    def mask_token_dims(self) -> int:
        return self.embed_dims

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None,
                mask_token: Optional[torch.Tensor] = None):
        B = x.shape[0]
        x, patch_resolution = self.patch_embed(x)
        if mask is not None:
            w = resize_block_mask(mask, patch_resolution).flatten(1).unsqueeze(-1)
            x = x * (1. - w) + w * mask_token.view(1, 1, -1)
        if self.cls_token is not None:
            x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1)
        x = x + resize_pos_embed(self.pos_embed, self.patch_resolution, patch_resolution,
                                 mode=self.interpolate_mode, num_extra_tokens=self.num_extra_tokens)
        x = self.pre_norm(self.drop_after_pos(x))

        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == len(self.layers) - 1 and self.final_norm:
                x = self.ln1(x)
            if i in self.out_indices:
                outs.append(self._format_output(x, patch_resolution))
        return tuple(outs)
