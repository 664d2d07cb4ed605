import copy
from typing import List, Optional

import torch
from mmseg.models import EncoderDecoder
from mmseg.registry import MODELS

from ..utils.auto_width import fill_auto, has_auto, probe_outputs


def _head_widths(head: dict, widths: List[int], name: str) -> dict:
    """``head`` with ``in_channels='auto'`` set to the widths of the maps it reads (``in_index``,
    mmseg's default -1)."""
    index = head.get('in_index', -1)
    picked = [widths[i] for i in index] if isinstance(index, (list, tuple)) else widths[index]
    return fill_auto(head, dict(in_channels=picked), name)


@MODELS.register_module()
class AutoWidthEncoderDecoder(EncoderDecoder):
    """mmseg's ``EncoderDecoder`` whose neck and heads may take ``in_channels='auto'``.

    The backbone (and neck) are built once more, under a forked RNG, and run on a small zero
    image in eval mode without gradients; the channels of their outputs fill every ``'auto'``
    value before mmseg builds the model: ``neck.in_channels`` gets the backbone's per-output
    widths, ``decode_head.in_channels`` / ``auxiliary_head.in_channels`` those of the maps they
    read (``in_index``) after the neck. So a backbone swap in a config is the backbone line
    alone, e.g. ``model = dict(backbone=dict(_delete_=True, type='mmpretrain.SwinTransformer',
    arch='tiny', out_indices=(0, 1, 2, 3)))``. Without ``'auto'`` it is ``EncoderDecoder``.
    """

    def __init__(self, backbone: dict, decode_head: dict, neck: Optional[dict] = None,
                 auxiliary_head=None, **kwargs):
        aux = auxiliary_head if isinstance(auxiliary_head, list) else [auxiliary_head]
        if has_auto(neck, decode_head, *aux):
            with torch.random.fork_rng(devices=[]):  # the model's init draws stay the same
                probe = MODELS.build(copy.deepcopy(backbone))
                widths = [c for c, _ in probe_outputs(probe)]
                if neck is not None:
                    neck = fill_auto(neck, dict(in_channels=widths), 'model.neck')
                    probe = torch.nn.Sequential(probe, MODELS.build(copy.deepcopy(neck)))
                    widths = [c for c, _ in probe_outputs(probe)]
            decode_head = _head_widths(decode_head, widths, 'model.decode_head')
            aux = [None if h is None else _head_widths(h, widths, 'model.auxiliary_head')
                   for h in aux]
            auxiliary_head = aux if isinstance(auxiliary_head, list) else aux[0]
        super().__init__(backbone=backbone, decode_head=decode_head, neck=neck,
                         auxiliary_head=auxiliary_head, **kwargs)
