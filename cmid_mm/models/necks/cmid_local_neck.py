from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from mmpretrain.registry import MODELS

from ..utils.onednn_linear import OneDNNLinear, linear


@MODELS.register_module()
class CMIDLocalNeck(BaseModule):
    """DINO-style projection of feature-map cells, for CMID's local branch.

    MLP ``in -> hid -> hid -> bottleneck`` (BN for CNN features, GELU), L2-normalised, then a
    weight-normalised prototype layer ``bottleneck -> out`` whose weight norm is fixed at 1.
    It works on cells already gathered from the feature map, shape (N, C): a linear layer on
    one cell is a 1x1 convolution, and projecting only the matched cells saves most of the cost.
    mmpretrain 1.2 has no DINO head to reuse.

    The prototype layer is ``x @ normalize(W).T`` — exactly ``weight_norm`` with ``g`` frozen at 1,
    without torch's deprecated/parametrised weight-norm state-dict layout. On CPU in fp32 the
    products run in oneDNN (``OneDNNLinear``: about twice MKL's rate here; same parameters).
    """

    def __init__(self, in_channels: int, hid_channels: int = 2048, bottleneck_channels: int = 256,
                 out_channels: int = 2048, with_bn: bool = True, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg)
        layers = []
        dims = [in_channels, hid_channels, hid_channels]
        for c_in, c_out in zip(dims[:-1], dims[1:]):
            layers += [OneDNNLinear(c_in, c_out)]
            if with_bn:
                layers += [nn.BatchNorm1d(c_out)]
            layers += [nn.GELU()]
        layers += [OneDNNLinear(hid_channels, bottleneck_channels)]
        self.mlp = nn.Sequential(*layers)
        self.prototypes = nn.Parameter(torch.empty(out_channels, bottleneck_channels))

    def init_weights(self):
        super().init_weights()
        if self.init_cfg is None:
            for m in self.mlp.modules():
                if isinstance(m, nn.Linear):
                    trunc_normal_(m.weight, std=.02)
                    nn.init.zeros_(m.bias)
        trunc_normal_(self.prototypes, std=.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels) cells -> (N, out_channels) prototype scores."""
        x = F.normalize(self.mlp(x), dim=-1)
        return linear(x, F.normalize(self.prototypes, dim=-1))
