"""Load an RGB (or any K-band) checkpoint into an N-band model: the rule for the input conv, the
load hooks that apply it and the ``AdaptInputBands`` initializer that installs them.

For the weight ``W`` (out, K, kh, kw) of the conv that sees the image (ResNet ``conv1``, deep stem
``stem.0.conv``, Swin/ViT ``patch_embed.projection``) and a model with N input bands:

- ``new[:, rgb_bands[k]] = W[:, k]`` for each checkpoint band ``k``: copied unchanged;
- ``new[:, j] = alpha * W.mean(dim=1)`` for every other model band ``j``;
- ``alpha`` defaults to ``K / N`` (3/N for RGB).

The RGB filters are not rescaled, so an N-band input whose extra bands are 0 gives exactly the
checkpoint model's output. ``alpha = K/N`` is the factor of the usual "repeat the mean filter and
rescale by 3/N" rule (timm's ``adapt_input_conv``), applied to the extra bands only: together they
add ``(N - K) * K / N < K`` mean filters, so when all normalised bands look alike (they are strongly
correlated) the first activations grow by less than 2x instead of N/3 x. ``alpha=0`` makes the
extra bands start silent (they still receive gradients).
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.registry import WEIGHT_INITIALIZERS


def adapt_input_weight(weight: torch.Tensor, in_channels: int, rgb_bands: Sequence[int],
                       alpha: Optional[float] = None) -> torch.Tensor:
    """``weight`` (out, K, ...) -> (out, in_channels, ...) by the rule in the module docstring.

    Args:
        rgb_bands: for each of the K checkpoint bands in order (R, G, B for mmpretrain RGB
            checkpoints, which see RGB after ``to_rgb=True``), the 0-based model input channel
            that receives it.
        alpha: scale of the mean filter given to the other channels; default ``K / in_channels``.
    """
    k = weight.shape[1]
    rgb_bands = [int(b) for b in rgb_bands]
    if len(rgb_bands) != k:
        raise ValueError(f'rgb_bands={rgb_bands} names {len(rgb_bands)} input channels, but the '
                         f'checkpoint weight has {k} (shape {tuple(weight.shape)})')
    if len(set(rgb_bands)) != k or not all(0 <= b < in_channels for b in rgb_bands):
        raise ValueError(f'rgb_bands={rgb_bands} must be {k} distinct 0-based channel indices '
                         f'of the {in_channels}-band model')
    if alpha is None:
        alpha = k / in_channels
    new = (weight.mean(dim=1, keepdim=True) * alpha).expand(
        -1, in_channels, *weight.shape[2:]).clone()
    new[:, rgb_bands] = weight
    return new


def register_band_adapter(model: nn.Module, rgb_bands: Sequence[int],
                          alpha: Optional[float] = None) -> int:
    """Make every later ``load_state_dict`` of ``model`` fit K-band input convs to N bands.

    A load pre-hook on each ``nn.Conv2d`` (the way mmpretrain's ViT resizes ``pos_embed``) rewrites
    an incoming weight whose only mismatch is K = ``len(rgb_bands)`` input channels instead of the
    conv's N, by :func:`adapt_input_weight`. Every loader (``init_cfg`` ``Pretrained``, the
    Runner's ``load_from``, ``load_checkpoint``) goes through it; other weights are untouched.
    Calling it again replaces the previous hooks. Returns the number of convs hooked.
    """
    rgb_bands = tuple(int(b) for b in rgb_bands)

    def hook(conv, state_dict, prefix, *args):
        key = prefix + 'weight'
        w = state_dict.get(key)
        want = conv.weight.shape
        if (w is None or w.ndim != 4 or w.shape == want or w.shape[1] != len(rgb_bands)
                or w.shape[0] != want[0] or w.shape[2:] != want[2:]):
            return
        state_dict[key] = adapt_input_weight(w, want[1], rgb_bands, alpha).to(w.dtype)
        print_log(f'{key}: {w.shape[1]}-band checkpoint weight fitted to {want[1]} bands '
                  f'(rgb_bands={rgb_bands}, alpha={alpha if alpha is not None else "K/N"})',
                  logger='current')

    count = 0
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            old = getattr(module, '_band_adapter_handle', None)
            if old is not None:
                old.remove()
            module._band_adapter_handle = module.register_load_state_dict_pre_hook(hook)
            count += 1
    return count


@WEIGHT_INITIALIZERS.register_module()
class AdaptInputBands:
    """Let an RGB (K-band) checkpoint load into this N-band model (rule: ``adapt_input_weight``).

    Set it as the ``init_cfg`` of the model that holds the backbone (segmentor, classifier, CMID),
    and keep the backbone's own ``init_cfg=dict(type='Pretrained', ...)``::

        model = dict(
            type='EncoderDecoder',
            init_cfg=dict(type='AdaptInputBands', rgb_bands=(2, 1, 0)),
            backbone=dict(type='mmpretrain.ResNet', in_channels=6, init_cfg=dict(
                type='Pretrained', checkpoint='cmid_rgb.pth', prefix='backbone.')), ...)

    Why not a ``Pretrained`` variant: mmengine loads ``type='Pretrained'`` after the children's
    own init, and mmpretrain's ResNet/Swin/ViT skip their post-init (zero-init residuals, position
    embeddings) only when their ``init_cfg['type'] == 'Pretrained'``; another type would have
    those overwrite the loaded weights. A parent's non-``Pretrained`` init runs before its
    children's, so this one only installs load hooks (``register_band_adapter``) that the
    backbone's ``Pretrained`` load then goes through.

    Args:
        rgb_bands: for each checkpoint input band in order (R, G, B for mmpretrain RGB
            checkpoints), the 0-based model input channel that receives it.
        alpha: scale of the mean filter of the other channels (None: K / N).
    """

    def __init__(self, rgb_bands: Sequence[int] = (0, 1, 2), alpha: Optional[float] = None):
        self.rgb_bands = tuple(rgb_bands)
        self.alpha = alpha

    def __call__(self, module):
        register_band_adapter(module, self.rgb_bands, self.alpha)
