"""Weighted k-nearest-neighbour classification of frozen features (InstDisc / DINO protocol).

mmpretrain 1.x dropped mmselfsup's ``knn_classifier`` and scikit-learn is not a dependency, so the
dozen lines of DINO's ``knn_classifier`` live here.
"""
from typing import Optional

import torch
import torch.nn.functional as F


@torch.no_grad()
def weighted_knn_predict(bank_feats: torch.Tensor, bank_labels: torch.Tensor,
                         query_feats: torch.Tensor, num_classes: Optional[int] = None,
                         k: int = 20, temperature: float = 0.07,
                         chunk_size: int = 256) -> torch.Tensor:
    """Class scores of each query from its ``k`` most similar bank samples.

    Features are L2-normalised; similarity is the cosine ``s``; each neighbour votes for its
    class with weight ``exp(s / temperature)`` and the votes are summed per class (Wu et al.
    2018, Caron et al. 2021). ``k`` larger than the bank uses the whole bank.

    Args:
        bank_feats: (N, D) features of the labelled memory bank (train split).
        bank_labels: (N, ) integer labels of the bank.
        query_feats: (M, D) features to classify.
        num_classes: number of classes; defaults to ``bank_labels.max() + 1``.

    Returns:
        (M, num_classes) summed vote weights; ``argmax`` is the prediction.
    """
    if bank_feats.ndim != 2 or query_feats.ndim != 2 or bank_feats.shape[1] != query_feats.shape[1]:
        raise ValueError(f'kNN: bank features {tuple(bank_feats.shape)} and query features '
                         f'{tuple(query_feats.shape)} must be (N, D) and (M, D) with the same D')
    if len(bank_feats) != len(bank_labels) or len(bank_feats) == 0:
        raise ValueError(f'kNN: {len(bank_feats)} bank features but {len(bank_labels)} labels '
                         '(both must be the same, non-zero number)')
    if k < 1 or temperature <= 0:
        raise ValueError(f'kNN: k={k} must be >= 1 and temperature={temperature} > 0')
    bank_labels = bank_labels.long()
    num_classes = num_classes or int(bank_labels.max()) + 1
    bank = F.normalize(bank_feats.float(), dim=1)
    k = min(k, len(bank))
    scores = []
    for query in F.normalize(query_feats.float(), dim=1).split(chunk_size):
        sims, idx = (query @ bank.T).topk(k, dim=1)
        votes = F.one_hot(bank_labels[idx], num_classes).float()  # (m, k, C)
        scores.append((votes * (sims / temperature).exp().unsqueeze(-1)).sum(1))
    return torch.cat(scores)


def weighted_knn_accuracy(bank_feats: torch.Tensor, bank_labels: torch.Tensor,
                          query_feats: torch.Tensor, query_labels: torch.Tensor,
                          k: int = 20, temperature: float = 0.07) -> float:
    """Top-1 accuracy (%) of :func:`weighted_knn_predict` on labelled queries."""
    num_classes = int(max(bank_labels.max(), query_labels.max())) + 1
    scores = weighted_knn_predict(bank_feats, bank_labels, query_feats, num_classes, k,
                                  temperature)
    return (scores.argmax(1) == query_labels.long()).float().mean().item() * 100
