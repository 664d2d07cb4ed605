"""Data preprocessors for N-band images where the library's own one accepts only 1 or 3 bands.

mmengine's ``ImgDataPreprocessor`` (parent of mmpretrain's ``SelfSupDataPreprocessor`` and
mmdet's ``DetDataPreprocessor``) asserts ``len(mean) in (1, 3)``; its normalisation itself,
``(x - mean[:, None, None]) / std[:, None, None]``, works for any band count. These subclasses
only set the mean/std buffers themselves. (mmpretrain's ``ClsDataPreprocessor`` and mmseg's
``SegDataPreProcessor`` accept N bands as they are.)
"""
from typing import Optional, Sequence

import torch
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.registry import MODELS as MMDET_MODELS
from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS


def set_band_normalization(preprocessor, mean: Optional[Sequence[float]],
                           std: Optional[Sequence[float]], channel_conversion: bool):
    """Give ``preprocessor`` per-band ``mean``/``std`` buffers of any length."""
    name = type(preprocessor).__name__
    if (mean is None) != (std is None):
        raise ValueError(f'{name}: give both mean and std, or neither')
    if mean is None:
        return
    if len(mean) != len(std):
        raise ValueError(f'{name}: mean has {len(mean)} bands but std has {len(std)}')
    if channel_conversion and len(mean) != 3:
        raise ValueError(f'{name}: to_rgb / bgr_to_rgb reorders 3 bands, but mean/std have '
                         f'{len(mean)}; set it False for N-band images')
    preprocessor._enable_normalize = True
    preprocessor.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1),
                                 False)
    preprocessor.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(-1, 1, 1),
                                 False)


@MODELS.register_module()
class NBandSelfSupDataPreprocessor(SelfSupDataPreprocessor):
    """``SelfSupDataPreprocessor`` (CMID's) for images of any number of bands."""

    def __init__(self, mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None, to_rgb: bool = False, **kwargs):
        super().__init__(to_rgb=to_rgb, **kwargs)
        set_band_normalization(self, mean, std, self._channel_conversion)


@MMDET_MODELS.register_module()
class NBandDetDataPreprocessor(DetDataPreprocessor):
    """mmdet's ``DetDataPreprocessor`` for images of any number of bands."""

    def __init__(self, mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None, bgr_to_rgb: bool = False, **kwargs):
        super().__init__(bgr_to_rgb=bgr_to_rgb, **kwargs)
        set_band_normalization(self, mean, std, self._channel_conversion)
