"""Linear probe: L2-regularised multinomial logistic regression on frozen features.

scikit-learn is not a dependency of this stack (and cannot be installed here); for a few hundred
to a few thousand feature vectors a full-batch L-BFGS fit in torch is the same estimator as
``sklearn.linear_model.LogisticRegression(solver='lbfgs')``.
"""
import torch
import torch.nn.functional as F


def fit_logistic_regression(feats: torch.Tensor, labels: torch.Tensor, num_classes: int,
                            weight_decay: float = 1e-3, max_iter: int = 300):
    """Minimise ``mean cross-entropy + weight_decay / 2 * ||W||^2`` (bias not penalised).

    Features are standardised with the training mean / std first (as a ``StandardScaler`` would),
    so one ``weight_decay`` suits backbones whose features have very different scales.

    Returns:
        ``predict(x) -> (M, num_classes) logits`` for new features.
    """
    if len(feats) == 0 or len(feats) != len(labels):
        raise ValueError(f'linear probe: {len(feats)} features and {len(labels)} labels '
                         '(both must be the same, non-zero number)')
    feats = feats.double()
    mean, std = feats.mean(0), feats.std(0, unbiased=False).clamp_min(1e-6)
    x = (feats - mean) / std
    y = labels.long()
    weight = torch.zeros(x.shape[1], num_classes, dtype=x.dtype, requires_grad=True)
    bias = torch.zeros(num_classes, dtype=x.dtype, requires_grad=True)
    optim = torch.optim.LBFGS([weight, bias], lr=1, max_iter=max_iter, history_size=20,
                              tolerance_grad=1e-9, tolerance_change=1e-12,
                              line_search_fn='strong_wolfe')

    def closure():
        optim.zero_grad()
        loss = F.cross_entropy(x @ weight + bias, y) + weight_decay / 2 * weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        optim.step(closure)
    weight, bias = weight.detach(), bias.detach()

    def predict(new_feats: torch.Tensor) -> torch.Tensor:
        return ((new_feats.double() - mean) / std) @ weight + bias

    return predict


def linear_probe_accuracy(train_feats: torch.Tensor, train_labels: torch.Tensor,
                          test_feats: torch.Tensor, test_labels: torch.Tensor,
                          weight_decay: float = 1e-3, max_iter: int = 300) -> float:
    """Top-1 accuracy (%) on the test split of a probe fitted on the train split."""
    num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    predict = fit_logistic_regression(train_feats, train_labels, num_classes, weight_decay,
                                      max_iter)
    return (predict(test_feats).argmax(1) == test_labels.long()).float().mean().item() * 100
