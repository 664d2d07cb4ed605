"""kNN and linear-probe accuracy of a frozen backbone on a labelled bank / query split."""
import copy
from typing import Optional

import torch
import torch.nn as nn
from mmengine.runner import Runner

from .features import extract_features
from .knn import weighted_knn_accuracy
from .linear_probe import linear_probe_accuracy


def build_labelled_loader(dataloader_cfg: dict, batch_size: Optional[int] = None):
    """A dataloader (mmengine's builder, current default scope) from a dataloader config."""
    cfg = copy.deepcopy(dict(dataloader_cfg))
    if batch_size:
        cfg['batch_size'] = batch_size
    if not cfg.get('num_workers'):
        cfg['persistent_workers'] = False  # torch refuses persistent workers without workers
    cfg.setdefault('sampler', dict(type='DefaultSampler', shuffle=False))
    loader = Runner.build_dataloader(cfg, seed=0)
    if len(loader.dataset) == 0:
        ds = cfg.get('dataset', {})
        raise ValueError(f'the labelled dataset is empty ({ds.get("type")}, data_root='
                         f'{ds.get("data_root")!r}, ann_file={ds.get("ann_file")!r})')
    return loader


def evaluate_frozen(backbone: nn.Module, preprocessor, bank_loader, query_loader, k: int = 20,
                    temperature: float = 0.07, probe: bool = True,
                    probe_weight_decay: float = 1e-3, progress: bool = True) -> dict:
    """Extract features of both splits, then weighted kNN (and the linear probe).

    Returns a dict: ``knn_top1`` (%), ``probe_top1`` (%, if ``probe``), ``majority`` (% of
    queries in the bank's most frequent class: what a constant predictor scores), sizes.
    """
    bank_feats, bank_labels = extract_features(backbone, bank_loader, preprocessor,
                                               progress=progress)
    query_feats, query_labels = extract_features(backbone, query_loader, preprocessor,
                                                 progress=progress)
    result = dict(
        knn_top1=weighted_knn_accuracy(bank_feats, bank_labels, query_feats, query_labels, k,
                                       temperature),
        majority=(query_labels == torch.mode(bank_labels).values).float().mean().item() * 100,
        num_bank=len(bank_labels), num_query=len(query_labels),
        num_classes=len(torch.unique(torch.cat([bank_labels, query_labels]))),
        feat_dim=bank_feats.shape[1], k=k, temperature=temperature)
    if probe:
        result['probe_top1'] = linear_probe_accuracy(bank_feats, bank_labels, query_feats,
                                                     query_labels, probe_weight_decay)
    return result
