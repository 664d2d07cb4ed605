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


class NBandNormalization:
    """Mixin placed before a data preprocessor class: per-band ``mean``/``std`` of any length.

    The parent is built without them (so its 1-or-3-band check does not run), then the buffers
    are set here; ``to_rgb`` / ``bgr_to_rgb`` (default False in both parents) reorder 3 bands
    only, so with N bands they are an error.
    """

    def __init__(self, mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if (mean is None) != (std is None):
            raise ValueError(f'{name}: give both mean and std, or neither')
        if mean is None:
            return
        if len(mean) != len(std):
            raise ValueError(f'{name}: mean has {len(mean)} bands but std has {len(std)}')
        if self._channel_conversion and len(mean) != 3:
            raise ValueError(f'{name}: to_rgb / bgr_to_rgb reorders 3 bands, but mean/std have '
                             f'{len(mean)}; set it False for N-band images')
        self._enable_normalize = True
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1),
                             False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(-1, 1, 1), False)


@MODELS.register_module()
class NBandSelfSupDataPreprocessor(NBandNormalization, SelfSupDataPreprocessor):
    """``SelfSupDataPreprocessor`` (CMID's) for images of any number of bands."""


@MMDET_MODELS.register_module()
class NBandDetDataPreprocessor(NBandNormalization, DetDataPreprocessor):
    """mmdet's ``DetDataPreprocessor`` for images of any number of bands."""
