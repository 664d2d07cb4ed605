from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomGaussianNoise(BaseTransform):
    """Add zero-mean Gaussian noise with probability ``prob`` (CMID's view-2 augmentation).

    The noise std is drawn uniformly from ``std_range``, as a fraction of ``max_value`` (255 for
    uint8, 10000 for Sentinel-2 reflectance, ...). Integer images are clipped to their dtype's
    range. mmpretrain/mmcv have no noise transform.
    """

    def __init__(self, std_range: Sequence[float] = (0., 0.05), prob: float = 0.6,
                 max_value: float = 255.):
        self.std_range = tuple(std_range)
        self.prob = prob
        self.max_value = max_value

    def transform(self, results: dict) -> dict:
        if np.random.rand() >= self.prob:
            return results
        img = results['img']
        sigma = np.random.uniform(*self.std_range) * self.max_value
        noisy = img.astype(np.float32) + np.random.randn(*img.shape).astype(np.float32) * sigma
        if np.issubdtype(img.dtype, np.integer):
            info = np.iinfo(img.dtype)
            noisy = np.clip(np.rint(noisy), info.min, info.max)
        results['img'] = noisy.astype(img.dtype)
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(std_range={self.std_range}, prob={self.prob}, '
                f'max_value={self.max_value})')
