"""Siamese encoder-decoder: mmseg's ``EncoderDecoder`` with a shared backbone over two dates."""
import torch
from mmseg.models import EncoderDecoder
from mmseg.registry import MODELS


@MODELS.register_module()
class SiameseEncoderDecoder(EncoderDecoder):
    """Change detector over ``(B, 2C, H, W)`` inputs: date A's C bands, then date B's.

    Only feature extraction differs from mmseg's ``EncoderDecoder``: the input is split into the two
    dates, ONE backbone (one parameter set, e.g. a CMID-pretrained ``mmpretrain.ResNet``) encodes
    both, and the ``neck`` (required; e.g. ``BitemporalFusionNeck``) fuses the two feature pyramids
    for the decode head. Losses, whole/slide inference and post-processing are inherited.

    The two dates run through the backbone as one batch of 2B, so in training BatchNorm statistics
    are shared by both dates (as the weights are) and the backbone runs once per step.
    """

    def __init__(self, backbone, decode_head, neck=None, **kwargs):
        if neck is None:
            raise ValueError('SiameseEncoderDecoder needs a neck that fuses the two dates, '
                             "e.g. neck=dict(type='BitemporalFusionNeck', policy='concat')")
        super().__init__(backbone=backbone, decode_head=decode_head, neck=neck, **kwargs)

    def extract_feat(self, inputs: torch.Tensor):
        if inputs.shape[1] % 2:
            raise ValueError(f'a bitemporal input has an even channel count (date A then date B '
                             f'bands), got shape {tuple(inputs.shape)}')
        img_a, img_b = inputs.chunk(2, dim=1)
        feats = self.backbone(torch.cat([img_a, img_b], dim=0))
        halves = [f.chunk(2, dim=0) for f in feats]
        return self.neck([a for a, _ in halves], [b for _, b in halves])
