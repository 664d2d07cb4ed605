"""Logistic-regression linear probe on synthetic features."""
import pytest
import torch
from cmid_mm.evaluation import (fit_logistic_regression, linear_probe_accuracy,
                                 weighted_knn_accuracy)


def test_separable_classes_are_learned():
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(3, 32, generator=g) * 3
    labels = torch.arange(3).repeat(40)
    feats = centres[labels] + torch.randn(120, 32, generator=g)
    acc = linear_probe_accuracy(feats[:60], labels[:60], feats[60:], labels[60:])
    assert acc >= 95, acc


def test_probe_fits_a_direction_knn_would_miss():
    """Label = sign of one small feature among 15 large noise ones: linear, not cosine-local."""
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(600, 16, generator=g) * 5
    feats[:, 0] = torch.randn(600, generator=g) * 0.5
    labels = (feats[:, 0] > 0).long()
    acc = linear_probe_accuracy(feats[:300], labels[:300], feats[300:], labels[300:])
    assert acc >= 95, acc
    assert weighted_knn_accuracy(feats[:300], labels[:300], feats[300:], labels[300:]) < 70


def test_weight_decay_shrinks_the_logits():
    g = torch.Generator().manual_seed(0)
    feats, labels = torch.randn(50, 8, generator=g), torch.randint(0, 2, (50, ), generator=g)
    weak = fit_logistic_regression(feats, labels, 2, weight_decay=1e-4)(feats)
    strong = fit_logistic_regression(feats, labels, 2, weight_decay=10.)(feats)
    assert strong.abs().max() < weak.abs().max()


def test_empty_training_set_is_an_error():
    with pytest.raises(ValueError, match='non-zero'):
        fit_logistic_regression(torch.zeros(0, 4), torch.zeros(0), 2)
