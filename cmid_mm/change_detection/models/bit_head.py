"""BIT decode head: Chen, Qi & Shi, "Remote Sensing Image Change Detection with Transformers"
(IEEE TGRS 2021), the BIT_S4_dd8 variant (4 tokens, 1 encoder layer, 8 decoder layers)."""
import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmcv.cnn.bricks.transformer import FFN
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import nn


class TokenAttention(nn.Module):
    """Multi-head attention whose inner width ``num_heads * head_dims`` may differ from ``dim``.

    BIT's layers attend with 8 heads of 64 (encoder) or 8 (decoder) dims over 32-d tokens, which
    ``nn.MultiheadAttention`` (head dims = dim / heads) cannot express.
    """

    def __init__(self, dim: int, num_heads: int, head_dims: int):
        super().__init__()
        self.num_heads, self.head_dims = num_heads, head_dims
        inner = num_heads * head_dims
        self.q = nn.Linear(dim, inner, bias=False)
        self.kv = nn.Linear(dim, 2 * inner, bias=False)
        self.proj = nn.Linear(inner, dim)

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        q = self.q(x).view(b, n, self.num_heads, self.head_dims).transpose(1, 2)
        kv = self.kv(context).view(b, -1, 2, self.num_heads, self.head_dims)
        k, v = kv.permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(b, n, -1))


class TokenTransformerLayer(nn.Module):
    """Pre-norm attention + FFN. Without ``context`` it is BIT's encoder layer (self-attention
    over tokens); with it, BIT's decoder layer (pixels query the tokens; no pixel self-attention,
    and queries and tokens are normalised by the same LayerNorm as in BIT)."""

    def __init__(self, dim: int, num_heads: int, head_dims: int, mlp_ratio: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = TokenAttention(dim, num_heads, head_dims)
        self.norm2 = nn.LayerNorm(dim)
        self.ffn = FFN(embed_dims=dim, feedforward_channels=dim * mlp_ratio,
                       act_cfg=dict(type='GELU'))

    def forward(self, x: torch.Tensor, context: torch.Tensor = None) -> torch.Tensor:
        q = self.norm1(x)
        x = x + self.attn(q, q if context is None else self.norm1(context))
        return self.ffn(self.norm2(x), identity=x)


@MODELS.register_module()
class BITHead(BaseDecodeHead):
    """Bitemporal image transformer head over concat-fused features (date A channels, then B).

    Per date (shared weights): optional upsampling and a 3x3 conv to ``channels`` (32) dims; a
    semantic tokenizer (1x1 conv -> spatial softmax -> ``num_tokens`` attention-pooled tokens). The
    tokens of BOTH dates plus a learned position embedding go through the transformer encoder
    (context across dates); each date's pixels then query its own refined tokens in the
    transformer decoder. The change logits come from |A - B| of the decoded features, upsampled
    ``upsample`` x, by a 3x3 conv-BN-ReLU and a 3x3 classifier conv (BIT's two-layer classifier).

    Args:
        in_channels (int): Channels of the selected concat-fused level (2x the backbone's).
        channels (int): Token / decoded feature dims. BIT: 32.
        pre_upsample (int): Upsampling of backbone features before the 3x3 conv. BIT: 2
            (its dilated ResNet-18 ends at stride 8 -> stride 4).
        num_tokens (int): Semantic tokens per date. BIT: 4.
        enc_depth / dec_depth (int): Encoder / decoder layers. BIT: 1 / 8.
        num_heads (int): Attention heads. BIT: 8.
        enc_head_dims / dec_head_dims (int): Per-head dims. BIT: 64 / 8.
        mlp_ratio (int): FFN width over ``channels``. BIT: 2.
        upsample (int): Upsampling of the difference map before the classifier. BIT: 4.
    """

    def __init__(self, pre_upsample=2, num_tokens=4, enc_depth=1, dec_depth=8, num_heads=8,
                 enc_head_dims=64, dec_head_dims=8, mlp_ratio=2, upsample=4, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(self.in_channels, int) or self.in_channels % 2:
            raise ValueError('BITHead takes one concat-fused level with an even channel count '
                             f'(2x the backbone channels), got in_channels={self.in_channels}')
        self.pre_upsample, self.upsample = pre_upsample, upsample
        c = self.channels
        self.pre_conv = nn.Conv2d(self.in_channels // 2, c, 3, padding=1)
        self.tokenizer = nn.Conv2d(c, num_tokens, 1, bias=False)
        self.pos_embed = nn.Parameter(torch.randn(1, 2 * num_tokens, c))
        self.encoder = nn.ModuleList(
            TokenTransformerLayer(c, num_heads, enc_head_dims, mlp_ratio) for _ in range(enc_depth))
        self.decoder = nn.ModuleList(
            TokenTransformerLayer(c, num_heads, dec_head_dims, mlp_ratio) for _ in range(dec_depth))
        self.classifier = ConvModule(c, c, 3, padding=1, norm_cfg=self.norm_cfg or dict(type='BN'),
                                     act_cfg=self.act_cfg)
        self.conv_seg = nn.Conv2d(c, self.out_channels, 3, padding=1)

    def tokenize(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, num_tokens, C): attention-weighted sums over the spatial map."""
        attn = self.tokenizer(x).flatten(2).softmax(dim=-1)
        return attn @ x.flatten(2).transpose(1, 2)

    def forward(self, inputs):
        x = self._transform_inputs(inputs)
        x = torch.cat(x.chunk(2, dim=1), dim=0)  # (2B, C, h, w): both dates through shared layers
        if self.pre_upsample != 1:
            x = resize(x, scale_factor=self.pre_upsample, mode='nearest')
        x = self.pre_conv(x)
        n, c, h, w = x.shape

        tokens_a, tokens_b = self.tokenize(x).chunk(2, dim=0)
        tokens = torch.cat([tokens_a, tokens_b], dim=1) + self.pos_embed  # (B, 2L, C)
        for layer in self.encoder:
            tokens = layer(tokens)
        tokens = torch.cat(tokens.chunk(2, dim=1), dim=0)  # back to (2B, L, C), per date

        pixels = x.flatten(2).transpose(1, 2)  # (2B, hw, C)
        for layer in self.decoder:
            pixels = layer(pixels, tokens)
        feat_a, feat_b = pixels.transpose(1, 2).reshape(n, c, h, w).chunk(2, dim=0)

        diff = (feat_a - feat_b).abs()
        if self.upsample != 1:
            diff = resize(diff, scale_factor=self.upsample, mode='bilinear',
                          align_corners=self.align_corners)
        return self.cls_seg(self.classifier(diff))
