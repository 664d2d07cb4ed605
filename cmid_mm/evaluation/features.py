"""Frozen-backbone features of a labelled dataset: global-average-pooled last stage."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.utils import ProgressBar
from mmpretrain.models.utils import ClsDataPreprocessor

IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


def pool_last_stage(outs: Union[torch.Tensor, Sequence]) -> torch.Tensor:
    """(B, D) features from a backbone's output: its last stage, average-pooled if a map.

    mmpretrain backbones return a tuple of stages; a stage is a (B, C, H, W) map (CNNs, Swin,
    ViT ``out_type='featmap'``), a (B, C) vector (ViT ``cls_token`` / ``avg_featmap``) or, in
    older ViT outputs, a tuple whose first item is the map.
    """
    last = outs[-1] if isinstance(outs, (tuple, list)) else outs
    if isinstance(last, (tuple, list)):
        last = last[0]
    if last.ndim == 4:
        return last.mean(dim=(2, 3))
    if last.ndim == 3:  # (B, L, C) tokens
        return last.mean(dim=1)
    return last


def normalizer_from(source: Union[dict, nn.Module, None]) -> ClsDataPreprocessor:
    """A classification preprocessor (stack, BGR->RGB, normalise) with the normalisation of
    ``source``: a data-preprocessor config dict or module (``SelfSupDataPreprocessor``,
    ``ClsDataPreprocessor``, ...). Features must be computed with the statistics the backbone was
    trained with; ``None`` falls back to the ImageNet ones."""
    if source is None:
        return ClsDataPreprocessor(mean=IMAGENET_MEAN, std=IMAGENET_STD, to_rgb=True)
    if isinstance(source, nn.Module):
        mean = source.mean.flatten().tolist() if hasattr(source, 'mean') else None
        std = source.std.flatten().tolist() if hasattr(source, 'std') else None
        to_rgb = bool(getattr(source, '_channel_conversion', getattr(source, 'to_rgb', False)))
    else:
        mean, std = source.get('mean'), source.get('std')
        to_rgb = bool(source.get('to_rgb', False) or source.get('bgr_to_rgb', False))
    return ClsDataPreprocessor(mean=mean, std=std, to_rgb=to_rgb)


@torch.no_grad()
def extract_features(backbone: nn.Module, dataloader, preprocessor: ClsDataPreprocessor,
                     device: Optional[Union[str, torch.device]] = None,
                     progress: bool = True) -> Tuple[torch.Tensor, torch.Tensor]:
    """Pooled features and labels of every sample of a labelled dataloader.

    The backbone runs in eval mode (BN running statistics) and is put back in its previous mode.

    Returns:
        ``(feats, labels)``: (N, D) float features on CPU and (N, ) int64 labels.
    """
    device = device or next(backbone.parameters()).device
    preprocessor = preprocessor.to(device)
    was_training = backbone.training
    backbone.eval()
    bar = ProgressBar(len(dataloader.dataset)) if progress else None
    feats, labels = [], []
    try:
        for data in dataloader:
            data = preprocessor(data, False)
            samples = data['data_samples']
            if not samples or 'gt_label' not in samples[0]:
                raise ValueError('feature extraction needs a labelled dataset (samples with '
                                 'gt_label), e.g. an mmpretrain CustomDataset with classes')
            feats.append(pool_last_stage(backbone(data['inputs'])).float().cpu())
            labels.append(torch.cat([s.gt_label for s in samples]).cpu())
            if bar is not None:
                bar.update(len(samples))
    finally:
        backbone.train(was_training)
    if bar is not None:
        bar.file.write('\n')
    if not feats:
        raise ValueError('feature extraction: the dataloader gave no batch (empty dataset?)')
    return torch.cat(feats), torch.cat(labels).long()
