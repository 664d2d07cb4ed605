"""Weighted kNN (InstDisc / DINO vote) on synthetic features."""
import math

import pytest
import torch
from cmid_mm.evaluation import weighted_knn_accuracy, weighted_knn_predict


def clusters(n_per_class, num_classes, dim, noise, seed):
    g = torch.Generator().manual_seed(seed)
    centres = torch.eye(dim)[:num_classes] * 5
    labels = torch.arange(num_classes).repeat_interleave(n_per_class)
    return centres[labels] + noise * torch.randn(len(labels), dim, generator=g), labels


def test_separable_classes_give_100_percent():
    bank, bank_labels = clusters(20, 4, 16, 0.5, seed=0)
    query, query_labels = clusters(10, 4, 16, 0.5, seed=1)
    assert weighted_knn_accuracy(bank, bank_labels, query, query_labels) == 100.0


def test_random_labels_give_chance():
    g = torch.Generator().manual_seed(0)
    bank, query = torch.randn(600, 32, generator=g), torch.randn(600, 32, generator=g)
    bank_labels = torch.randint(0, 4, (600, ), generator=g)
    query_labels = torch.randint(0, 4, (600, ), generator=g)
    acc = weighted_knn_accuracy(bank, bank_labels, query, query_labels)
    assert 18 < acc < 32, acc  # chance is 25 %; 600 queries give a std of about 1.8 points


def test_vote_matches_hand_computation():
    """5 bank samples on the unit circle (scaled: features are L2-normalised first)."""
    angles = torch.tensor([0., 30., 60., 90., 180.]) * math.pi / 180
    bank = 3 * torch.stack([angles.cos(), angles.sin()], 1)
    labels = torch.tensor([0, 1, 1, 0, 2])
    query = torch.tensor([[math.cos(math.radians(10)), math.sin(math.radians(10))]])
    t = 0.5
    # k=3 nearest: 0 deg (label 0, cos 10), 30 deg (label 1, cos 20), 60 deg (label 1, cos 50)
    expected = torch.tensor([[
        math.exp(math.cos(math.radians(10)) / t),
        math.exp(math.cos(math.radians(20)) / t) + math.exp(math.cos(math.radians(50)) / t),
        0.,
    ]])
    scores = weighted_knn_predict(bank, labels, query, num_classes=3, k=3, temperature=t)
    torch.testing.assert_close(scores, expected)
    assert scores.argmax().item() == 1  # two weaker class-1 votes beat the nearest class-0 one
    nearest = weighted_knn_predict(bank, labels, query, num_classes=3, k=1, temperature=t)
    assert nearest.argmax().item() == 0


def test_k_larger_than_bank_uses_the_whole_bank():
    bank, labels = torch.tensor([[1., 0.], [0., 1.]]), torch.tensor([0, 1])
    scores = weighted_knn_predict(bank, labels, torch.tensor([[1., 0.]]), k=20, temperature=1.)
    torch.testing.assert_close(scores, torch.tensor([[math.e, 1.]]))


def test_mismatched_feature_dims_are_an_error():
    with pytest.raises(ValueError, match='same D'):
        weighted_knn_predict(torch.zeros(3, 4), torch.zeros(3), torch.zeros(2, 5))
