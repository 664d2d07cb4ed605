from typing import Sequence

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform, Compose
from mmpretrain.datasets.transforms import RandomResizedCrop
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class CMIDTwoViews(BaseTransform):
    """The two CMID views of one image, their block masks and the positions of their cells.

    The image is resized to ``img_size`` (the "original image" whose pixel frame the coordinates
    use), then for each view: a random resized crop (``crop_scale``, ``crop_ratio``) back to
    ``img_size``, random flips, and that view's photometric pipeline (``view_pipelines[v]``,
    mmpretrain transforms that must not change the geometry). Works for any number of bands when
    the photometric pipelines do.

    Adds to ``results``:

    - ``img``: list of the two views (H, W, C).
    - ``mask``: (2, img_size / mask_patch_size, same) uint8 block masks, exactly
      ``ceil(mask_ratio * blocks)`` ones each (30 of 49 at 0.6, as the official mask generator;
      ``mask_count_rounding='round'`` gives 29). The model fills masked blocks with the image mean.
    - ``crop_boxes``: (2, 6) float32 ``(top, left, height, width, hflip, vflip)`` of each view in
      original-image pixels. The model turns them into the original-image positions of the cells
      of whatever feature map its backbone gives (``CMIDLocalHead.matched_cells``), so the pipeline
      does not depend on the backbone's stride.

    Args:
        coord_mode: ``'pixel'`` (correct) or ``'official'``: reproduces the official code, which
            passes the crop offset as a fraction of its free range, ``top / (H - h + 1e-10)``
            (albumentations' ``h_start``, in [0, 1]), where pixels are expected, so the matching
            all but ignores where the crop lies. Use only to reproduce official numbers.
        mask_count_rounding: ``'ceil'`` (official) or ``'round'``: how ``mask_ratio * blocks``
            becomes a whole number of masked blocks.
        allow_upsample: an image smaller than ``img_size`` (either side) is an error naming the
            file unless this is ``True``, in which case it is upsampled like any other image is
            resized. Pretraining on upsampled images learns interpolation artefacts.
    """

    def __init__(self, img_size: int = 224, crop_scale: Sequence[float] = (0.3, 1.0),
                 crop_ratio: Sequence[float] = (3. / 4., 4. / 3.), hflip_prob: float = 0.5,
                 vflip_prob: float = 0., view_pipelines: Sequence[Sequence[dict]] = ((), ()),
                 mask_patch_size: int = 32, mask_ratio: float = 0.6,
                 coord_mode: str = 'pixel', interpolation: str = 'bilinear',
                 mask_count_rounding: str = 'ceil', allow_upsample: bool = False):
        if img_size % mask_patch_size:
            raise ValueError(f'CMIDTwoViews: img_size={img_size} must be a multiple of '
                             f'mask_patch_size={mask_patch_size}')
        if coord_mode not in ('pixel', 'official'):
            raise ValueError(f"CMIDTwoViews: coord_mode must be 'pixel' or 'official', "
                             f'got {coord_mode!r}')
        if mask_count_rounding not in ('ceil', 'round'):
            raise ValueError(f"CMIDTwoViews: mask_count_rounding must be 'ceil' or 'round', "
                             f'got {mask_count_rounding!r}')
        if len(view_pipelines) != 2:
            raise ValueError('CMIDTwoViews: view_pipelines needs one pipeline per view (2)')
        if not 0. <= mask_ratio <= 1.:
            raise ValueError(f'CMIDTwoViews: mask_ratio={mask_ratio} is not in [0, 1]')
        self.img_size = img_size
        self.crop_scale = tuple(crop_scale)
        self.crop_ratio = tuple(crop_ratio)
        # mmpretrain's crop-parameter sampler; the crop itself is done here to know its box.
        self._crop = RandomResizedCrop(scale=img_size, crop_ratio_range=self.crop_scale,
                                       aspect_ratio_range=self.crop_ratio,
                                       interpolation=interpolation)
        self.hflip_prob = hflip_prob
        self.vflip_prob = vflip_prob
        # Build in mmpretrain's scope so that nested pipelines (e.g. mmcv's RandomApply around
        # mmpretrain's ColorJitter) resolve outside a Runner too.
        with TRANSFORMS.switch_scope_and_registry('mmpretrain') as registry:
            self.view_pipelines = [Compose([registry.build(t) for t in p]) for p in view_pipelines]
        self.mask_patch_size = mask_patch_size
        self.mask_ratio = mask_ratio
        self.coord_mode = coord_mode
        self.interpolation = interpolation
        self.mask_count_rounding = mask_count_rounding
        self.allow_upsample = allow_upsample

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim == 2:
            img = img[..., None]
        size = self.img_size
        if min(img.shape[:2]) < size and not self.allow_upsample:
            raise ValueError(
                f'CMIDTwoViews: {results.get("img_path", "an image")} is '
                f'{img.shape[0]}x{img.shape[1]} px, smaller than img_size={size}; remove such '
                'images from the dataset, lower img_size, or set allow_upsample=True in '
                'CMIDTwoViews to upsample them')
        if img.shape[:2] != (size, size):
            img = mmcv.imresize(img, (size, size), interpolation=self.interpolation)
            if img.ndim == 2:  # OpenCV drops a single channel axis
                img = img[..., None]
        views, boxes = [], []
        for pipeline in self.view_pipelines:
            view, box = self._crop_view(img)
            out = pipeline(dict(img=view, img_shape=view.shape[:2], ori_shape=view.shape[:2]))
            if out['img'].shape[:2] != view.shape[:2]:
                raise ValueError('CMIDTwoViews: a view pipeline changed the view size '
                                 f'{view.shape[:2]} -> {out["img"].shape[:2]}; view pipelines '
                                 'must be photometric only')
            views.append(np.ascontiguousarray(out['img']))
            boxes.append(box)
        results['img'] = views
        results['img_shape'] = (size, size)
        results['mask'] = np.stack([self.block_mask() for _ in views])
        results['crop_boxes'] = np.stack(boxes).astype(np.float32)
        return results

    def block_mask(self) -> np.ndarray:
        """A (g, g) uint8 mask with exactly ``ceil(mask_ratio * g * g)`` masked blocks (or
        ``round``, see ``mask_count_rounding``), uniformly at random."""
        grid = self.img_size // self.mask_patch_size
        n_blocks = grid * grid
        count = self.mask_ratio * n_blocks
        count = int(np.ceil(count) if self.mask_count_rounding == 'ceil' else round(count))
        mask = np.zeros(n_blocks, dtype=np.uint8)
        mask[np.random.permutation(n_blocks)[:count]] = 1
        return mask.reshape(grid, grid)

    def _crop_view(self, img: np.ndarray):
        size = self.img_size
        top, left, h, w = self._crop.rand_crop_params(img)
        view = mmcv.imresize(img[top:top + h, left:left + w], (size, size),
                             interpolation=self.interpolation)
        if view.ndim == 2:
            view = view[..., None]
        hflip = np.random.rand() < self.hflip_prob
        vflip = np.random.rand() < self.vflip_prob
        if hflip:
            view = view[:, ::-1]
        if vflip:
            view = view[::-1]
        if self.coord_mode == 'official':  # offsets as fractions of their free range: <= 1 px
            top = top / (img.shape[0] - h + 1e-10)
            left = left / (img.shape[1] - w + 1e-10)
        box = np.array([top, left, h, w, hflip, vflip], dtype=np.float32)
        return np.ascontiguousarray(view), box

    def __repr__(self):
        return (f'{self.__class__.__name__}(img_size={self.img_size}, crop_scale={self.crop_scale}, '
                f'mask_patch_size={self.mask_patch_size}, mask_ratio={self.mask_ratio}, '
                f'coord_mode={self.coord_mode!r}, '
                f'mask_count_rounding={self.mask_count_rounding!r}, '
                f'allow_upsample={self.allow_upsample})')
