"""Every N iterations, original | masked | reconstruction panels of CMID through the visualizer."""
from contextlib import contextmanager
from typing import Sequence

import numpy as np
import torch
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

from ...models.utils import fill_masked_with_mean, resize_block_mask


@contextmanager
def _buffers_kept(*modules):
    """Run a train-mode forward without moving BN running statistics (restored afterwards)."""
    saved = [{k: v.clone() for k, v in m.named_buffers()} for m in modules]
    try:
        yield
    finally:
        for m, buffers in zip(modules, saved):
            for k, v in m.named_buffers():
                v.copy_(buffers[k])


@HOOKS.register_module()
class ReconstructionVisHook(Hook):
    """Save CMID's masked-image reconstructions every ``interval`` training iterations.

    Recomputed under ``no_grad`` from the iteration's data batch (view 1 of every image, in
    train mode like the step itself, BN statistics left untouched): preprocessed images, their
    block masks from the data samples, ``CMID.reconstruct``. One image per call goes to
    ``runner.visualizer.add_image`` (files under ``vis_data/vis_image/{name}_{iter}.png`` with
    LocalVisBackend, an image in TensorBoard with TensorboardVisBackend): a row per sample (at most ``max_images``) of four panels,
    original | masked input | reconstruction | reconstruction in the masked blocks on the
    visible original (the loss only constrains masked pixels), de-normalised with the data
    preprocessor's mean / std; ``rgb_bands`` picks the displayed bands of multispectral input.
    """

    priority = 'NORMAL'

    def __init__(self, interval: int = 100, max_images: int = 4,
                 rgb_bands: Sequence[int] = (0, 1, 2), name: str = 'reconstruction'):
        if interval < 1 or max_images < 1:
            raise ValueError(f'ReconstructionVisHook: interval={interval} and '
                             f'max_images={max_images} must be >= 1')
        self.interval, self.max_images = interval, max_images
        self.rgb_bands, self.name = list(rgb_bands), name

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if data_batch is None or not self.every_n_train_iters(runner, self.interval):
            return
        model = get_ori_model(runner.model)
        if getattr(model, 'decoder', None) is None:
            runner.logger.warning('ReconstructionVisHook: the model has no decoder '
                                  '(reconstruction branch off); nothing to show')
            return
        panel = self.panels(model, data_batch)
        runner.visualizer.add_image(self.name, panel, step=runner.iter + 1)

    @torch.no_grad()
    def panels(self, model, data_batch: dict) -> np.ndarray:
        """(rows * H, 4 * W, 3) uint8 RGB grid of the first ``max_images`` samples."""
        data = model.data_preprocessor(data_batch, True)
        images = data['inputs'][0]  # view 1, (B, C, H, W), normalised
        masks = torch.stack([torch.as_tensor(s.mask)[0] for s in data['data_samples']])
        masks = masks.to(images.device)
        with _buffers_kept(model.backbone, model.decoder):
            rec = model.reconstruct(images, masks)
        masked = fill_masked_with_mean(images, masks)
        n = min(self.max_images, len(images))
        w = resize_block_mask(masks[:n], images.shape[-2:]).to(images.dtype)
        pasted = images[:n] * (1 - w) + rec[:n] * w
        columns = [self._to_rgb(model, x[:n]) for x in (images, masked, rec, pasted)]
        sep = 2  # white lines between panels and rows
        h, wd = columns[0].shape[1:3]
        grid = np.full((n * (h + sep) - sep, 4 * (wd + sep) - sep, 3), 255, np.uint8)
        for c, col in enumerate(columns):
            for r in range(n):
                grid[r * (h + sep):r * (h + sep) + h, c * (wd + sep):c * (wd + sep) + wd] = col[r]
        return grid

    def _to_rgb(self, model, x: torch.Tensor) -> np.ndarray:
        pre = model.data_preprocessor
        if getattr(pre, '_enable_normalize', False):
            x = x * pre.std + pre.mean
        bands = [b for b in self.rgb_bands if b < x.shape[1]] or [0]
        x = x[:, bands]
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        return x.clamp(0, 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
