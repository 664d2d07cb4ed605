"""Bitemporal (two-date) loading and augmentation for change detection, in mmseg's TRANSFORMS.

How both dates get the SAME geometric transform: mmseg's ``ConcatCDInput`` stacks date A and date B
along channels into one ``img`` (A bands then B bands) early in the pipeline; every geometric
transform after it (mmseg/mmcv ``RandomResize``, ``RandomCrop``, ``RandomFlip``, ``RandomRotate``,
``Resize``, ``Pad``) then sees ONE image plus the label and draws ONE random parameter set, so the
two dates and the label stay pixel-aligned by construction. This reuses the stock transforms
unchanged (OpenCV handles any channel count) instead of re-implementing each with multi-key support.
Photometric transforms must instead act on each date independently (a season or sensor change
alters each acquisition differently); :class:`ApplyToEachDate` runs any single-image transform on
date A and date B separately, before the dates are stacked.
"""
import copy

import numpy as np
from mmcv.transforms import BaseTransform, Compose
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadImagePairFromFile(BaseTransform):
    """Load the date-A (``img_path``) and date-B (``img_path2``) images into ``img`` / ``img2``.

    Each date is read by the same single-image loader (``loader``, default mmcv's
    ``LoadImageFromFile``; any loader that reads ``img_path`` into ``img`` works, e.g. a rasterio
    one for GeoTIFFs), so the dates are decoded identically.

    Raises:
        ValueError: If the two dates differ in height, width or band count (naming both files).
    """

    def __init__(self, loader: dict = dict(type='LoadImageFromFile')):
        self.loader = TRANSFORMS.build(loader)

    def _load(self, path: str) -> np.ndarray:
        out = self.loader({'img_path': path})
        if out is None:  # a loader with ignore_empty=True skips unreadable files
            return None
        return out['img']

    def transform(self, results: dict) -> dict:
        path_a, path_b = results['img_path'], results['img_path2']
        img_a, img_b = self._load(path_a), self._load(path_b)
        if img_a is None or img_b is None:
            return None
        shape_a = img_a.shape if img_a.ndim == 3 else img_a.shape + (1, )
        shape_b = img_b.shape if img_b.ndim == 3 else img_b.shape + (1, )
        if shape_a != shape_b:
            raise ValueError(
                f'the two dates of a change-detection pair differ in size: {path_a} is '
                f'{shape_a[0]}x{shape_a[1]} px with {shape_a[2]} bands, {path_b} is '
                f'{shape_b[0]}x{shape_b[1]} px with {shape_b[2]} bands')
        results['img'], results['img2'] = img_a, img_b
        results['img_shape'] = results['ori_shape'] = img_a.shape[:2]
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(loader={self.loader!r})'


@TRANSFORMS.register_module()
class LoadChangeLabel(LoadAnnotations):
    """mmseg's ``LoadAnnotations`` for a binary change mask, mapped to 0 (no change) / 1 (change).

    Masks stored as 0/1 are kept; others (LEVIR-CD's 0/255 PNGs, CDD's JPEG-compressed 0/255 masks
    whose edges hold intermediate values) are thresholded: ``value >= threshold`` is change. A
    mask saved with three identical channels is reduced to one.

    Raises:
        ValueError: If the mask size differs from the images' (naming the mask and the image).
    """

    def __init__(self, threshold: int = 128, **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold

    def _load_seg_map(self, results: dict) -> None:
        super()._load_seg_map(results)
        seg = results['gt_seg_map']
        if seg.ndim == 3:
            seg = seg.max(axis=2)
        if seg.max() > 1:
            seg = seg >= self.threshold
        results['gt_seg_map'] = seg.astype(np.uint8)
        img_shape = results.get('img_shape')
        if img_shape is not None and tuple(seg.shape) != tuple(img_shape[:2]):
            raise ValueError(
                f"change label {results['seg_map_path']} is {seg.shape[0]}x{seg.shape[1]} px "
                f"but its image {results['img_path']} is {img_shape[0]}x{img_shape[1]} px")

    def __repr__(self):
        return f'{super().__repr__()[:-1]}, threshold={self.threshold})'


@TRANSFORMS.register_module()
class ApplyToEachDate(BaseTransform):
    """Run single-image ``transforms`` on date A (``img``) and date B (``img2``) independently.

    Each date draws its own random parameters, as photometric augmentation of a bitemporal pair
    should. Only transforms that keep the image size belong here: geometric ones go after
    ``ConcatCDInput`` so that both dates share them (see the module docstring).

    Raises:
        ValueError: If a transform changes an image's height or width.
    """

    def __init__(self, transforms: list, keys=('img', 'img2')):
        self.transforms = Compose(transforms)
        self.keys = tuple(keys)

    def transform(self, results: dict) -> dict:
        for key in self.keys:
            # a copy per date so that keys a transform adds for date A do not leak into date B
            view = copy.copy(results)
            view['img'] = results[key]
            out = self.transforms(view)
            if out is None:
                return None
            if out['img'].shape[:2] != results[key].shape[:2]:
                raise ValueError(
                    f'ApplyToEachDate: {self.transforms} changed the size of {key} '
                    f"({results[key].shape[:2]} -> {out['img'].shape[:2]}); geometric "
                    'transforms must run after ConcatCDInput so that both dates get the same one')
            results[key] = out['img']
        return results

    def __repr__(self):
        return f'{self.__class__.__name__}(keys={self.keys}, transforms={self.transforms})'
