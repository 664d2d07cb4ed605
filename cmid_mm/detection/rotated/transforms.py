"""Data transforms for rotated boxes (registered in mmdet's TRANSFORMS).

The ground truth is ``results['gt_bboxes']``: a float32 ``(N, 5)`` numpy array of ``le90``
rotated boxes (see :mod:`.boxes`), which ``PackDetInputs`` turns into ``gt_instances.bboxes``.
mmdet's own transforms expect a box type there, so each geometric transform below subclasses
mmdet's and replaces only the box part.
"""
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.datasets.transforms import LoadAnnotations, RandomFlip, Resize
from mmdet.registry import TRANSFORMS

from .boxes import flip_rboxes, rescale_rboxes, rotate90_rboxes


@TRANSFORMS.register_module()
class LoadRotatedAnnotations(LoadAnnotations):
    """mmdet's ``LoadAnnotations`` reading ``instance['bbox']`` as ``(cx, cy, w, h, angle)``."""

    def _load_bboxes(self, results: dict) -> None:
        instances = results.get('instances', [])
        results['gt_bboxes'] = np.array([i['bbox'] for i in instances],
                                        np.float32).reshape(-1, 5)
        results['gt_ignore_flags'] = np.array([i['ignore_flag'] for i in instances], bool)


@TRANSFORMS.register_module()
class RotatedResize(Resize):
    """mmdet's ``Resize`` with rotated gt boxes (not clipped: a rotated box cut by the image
    border is no rectangle). Use ``keep_ratio=True``: a non-uniform scale turns rectangles into
    parallelograms, replaced by their minimum-area rectangle."""

    def transform(self, results: dict) -> dict:
        # mmdet's Resize.transform casts a numpy gt_bboxes to horizontal boxes: keep it out
        boxes = results.pop('gt_bboxes', None)
        results = super().transform(results)
        if boxes is not None:
            results['gt_bboxes'] = rescale_rboxes(boxes, results['scale_factor'])
        return results


@TRANSFORMS.register_module()
class RotatedRandomFlip(RandomFlip):
    """mmdet's ``RandomFlip`` with rotated gt boxes. The paper's setting:
    ``prob=[0.25, 0.25, 0.25], direction=['horizontal', 'vertical', 'diagonal']``."""

    def _flip(self, results: dict) -> None:
        boxes = results.pop('gt_bboxes', None)
        super()._flip(results)
        if boxes is not None:
            results['gt_bboxes'] = flip_rboxes(boxes, results['img'].shape[:2],
                                               results['flip_direction'])


@TRANSFORMS.register_module()
class RotatedRandomRotate90(BaseTransform):
    """Rotate the image and its rotated boxes by 90, 180 or 270 degrees (uniformly) with
    probability ``prob``. Records ``rotate90_k`` (quarter turns clockwise, 0 when not rotated)."""

    def __init__(self, prob: float = 0.5):
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        k = int(np.random.randint(1, 4)) if np.random.rand() < self.prob else 0
        results['rotate90_k'] = k
        if k == 0:
            return results
        img = results['img']
        if results.get('gt_bboxes') is not None:
            results['gt_bboxes'] = rotate90_rboxes(results['gt_bboxes'], img.shape[:2], k)
        results['img'] = np.ascontiguousarray(np.rot90(img, -k))
        results['img_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'


__all__ = ['LoadRotatedAnnotations', 'RotatedResize', 'RotatedRandomFlip',
           'RotatedRandomRotate90']
