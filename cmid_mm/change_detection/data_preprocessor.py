"""Normalise both dates of a bitemporal batch and stack it as (B, 2C, H, W)."""
from typing import Sequence

import torch
from mmseg.models import SegDataPreProcessor
from mmseg.registry import MODELS


@MODELS.register_module()
class BitemporalDataPreProcessor(SegDataPreProcessor):
    """mmseg's ``SegDataPreProcessor`` for inputs holding date A's C bands then date B's C bands.

    The pipeline's ``ConcatCDInput`` has stacked the dates along channels; this normalises each
    date with the same per-band ``mean`` / ``std`` (given for ONE date, C values), optionally flips
    BGR to RGB within each date, then pads and stacks the batch to ``(B, 2C, H, W)`` exactly like
    mmseg. That layout is the model's input contract (``SiameseEncoderDecoder`` splits it in two).

    Raises:
        ValueError: If an input does not have ``2 * len(mean)`` channels.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], bgr_to_rgb: bool = False,
                 **kwargs):
        if len(mean) != len(std):
            raise ValueError(f'mean has {len(mean)} values but std has {len(std)}')
        # mmseg converts colour only for 3-channel inputs, so the per-date swap is done here.
        super().__init__(mean=list(mean) * 2, std=list(std) * 2, bgr_to_rgb=False, **kwargs)
        self.bands = len(mean)
        self.date_bgr_to_rgb = bgr_to_rgb
        if bgr_to_rgb and self.bands != 3:
            raise ValueError(f'bgr_to_rgb needs 3 bands per date, mean has {self.bands}')

    def forward(self, data: dict, training: bool = False) -> dict:
        data = dict(data)
        samples = data.get('data_samples') or [None] * len(data['inputs'])
        inputs = []
        for x, sample in zip(data['inputs'], samples):
            if x.shape[0] != 2 * self.bands:
                where = f' ({sample.img_path})' if sample is not None and 'img_path' in sample \
                    else ''
                raise ValueError(
                    f'expected a bitemporal input of 2x{self.bands} channels (date A bands then '
                    f'date B bands), got {x.shape[0]}{where}')
            if self.date_bgr_to_rgb:
                x = x[torch.tensor([2, 1, 0, 5, 4, 3])]
            inputs.append(x)
        data['inputs'] = inputs
        return super().forward(data, training)
