"""``'auto'`` widths: necks, heads and decoders that take their input width from the backbone.

A backbone swap in a config is then the backbone line alone: the algorithm (``CMID``) or the
segmentor (``AutoWidthEncoderDecoder``) reads what the built backbone outputs and fills every
``'auto'`` value before it builds the modules that consume those outputs. Explicit numbers are
left as they are.
"""
import copy
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn

AUTO = 'auto'
PROBE_SIZE = 64  # px: a multiple of every stride in use (4 ... 32)


def input_bands(backbone: nn.Module) -> int:
    """Input channels of ``backbone``: those of its first convolution (stem or patch embedding)."""
    conv = next((m for m in backbone.modules() if isinstance(m, nn.Conv2d)), None)
    if conv is None:
        raise TypeError(f"'auto' widths need a backbone with a convolutional stem or patch "
                        f'embedding; {type(backbone).__name__} has no nn.Conv2d: give the widths '
                        'as numbers')
    return conv.in_channels


def probe_size(backbone: nn.Module) -> int:
    """``PROBE_SIZE``, or 32 x the window for a Swin without ``pad_small_map`` (its last stage,
    at stride 32, must hold a whole window)."""
    windows = [m.window_size for m in backbone.modules()
               if getattr(m, 'pad_small_map', None) is False
               and isinstance(getattr(m, 'window_size', None), int)]
    return max([PROBE_SIZE] + [32 * w for w in windows])


def probe_outputs(backbone: nn.Module) -> List[Tuple[int, int]]:
    """``(channels, stride)`` of every feature map ``backbone`` returns.

    One forward pass of a small zero image (``probe_size``), in eval mode and without gradients: BN
    statistics are not updated and no random number is drawn (dropout / drop-path are off), so
    building a model with ``'auto'`` widths gives the same weights as with the numbers.
    """
    size = probe_size(backbone)
    param = next(backbone.parameters(), None)
    device = param.device if param is not None else None
    was_training = backbone.training
    backbone.eval()
    try:
        with torch.no_grad():
            outs = backbone(torch.zeros(1, input_bands(backbone), size, size, device=device))
    finally:
        backbone.train(was_training)
    outs = [outs] if isinstance(outs, torch.Tensor) else list(outs)
    if not outs or any(not isinstance(o, torch.Tensor) or o.ndim != 4 for o in outs):
        got = [tuple(o.shape) if isinstance(o, torch.Tensor) else type(o).__name__ for o in outs]
        raise TypeError(f"'auto' widths need a backbone that returns (N, C, H, W) feature maps; "
                        f"{type(backbone).__name__} returned {got} (for a ViT: "
                        "out_type='featmap'); give the widths as numbers")
    return [(o.shape[1], size // o.shape[-1]) for o in outs]


def has_batch_norm(module: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in module.modules())


def fill_auto(cfg: Optional[dict], values: Dict[str, object], name: str) -> Optional[dict]:
    """A copy of ``cfg`` with each top-level ``'auto'`` value replaced by ``values[key]``."""
    if cfg is None:
        return None
    cfg = copy.deepcopy(cfg)
    for key, value in cfg.items():
        if isinstance(value, str) and value == AUTO:
            if key not in values:
                raise ValueError(f"{name}.{key}='auto': only {sorted(values)} can be 'auto' "
                                 f'here; give {key} as a value')
            cfg[key] = values[key]
    return cfg


def has_auto(*cfgs: Optional[dict]) -> bool:
    return any(isinstance(v, str) and v == AUTO
               for cfg in cfgs if cfg is not None for v in cfg.values())
