"""FocalFrequencyLoss: one FFT of the batch-mean image equals the official mean of B spectra."""
import pytest
import torch
from focal_frequency_loss import FocalFrequencyLoss as OfficialFFL

from cmid_mm.models.losses import FocalFrequencyLoss


@pytest.mark.parametrize('patch_factor', [1, 2])
def test_spectrum_of_the_mean_gives_the_official_loss_and_gradients(patch_factor):
    torch.manual_seed(0)
    pred = torch.randn(6, 3, 32, 32, dtype=torch.float64, requires_grad=True)
    target = torch.randn(6, 3, 32, 32, dtype=torch.float64)
    official = OfficialFFL(patch_factor=patch_factor, ave_spectrum=True, log_matrix=True,
                           batch_matrix=True)(pred, target)
    (grad_official, ) = torch.autograd.grad(official, pred)
    ours = FocalFrequencyLoss(patch_factor=patch_factor)(pred, target)
    (grad_ours, ) = torch.autograd.grad(ours, pred)
    torch.testing.assert_close(ours, official, rtol=1e-10, atol=0)
    torch.testing.assert_close(grad_ours, grad_official, rtol=1e-8, atol=1e-14)
    # float32, as in training: equal within float32 rounding
    p32, t32 = pred.detach().float().requires_grad_(), target.float()
    loss32 = FocalFrequencyLoss(patch_factor=patch_factor)(p32, t32)
    loss32.backward()
    torch.testing.assert_close(loss32.double(), official.detach(), rtol=1e-5, atol=0)
    torch.testing.assert_close(p32.grad.double(), grad_official, rtol=1e-4, atol=1e-9)


def test_the_default_runs_one_fft_per_pred_and_target_not_one_per_image(monkeypatch):
    shapes = []
    fft2 = torch.fft.fft2

    def recording_fft2(x, *args, **kwargs):
        shapes.append(tuple(x.shape))
        return fft2(x, *args, **kwargs)

    monkeypatch.setattr(torch.fft, 'fft2', recording_fft2)
    FocalFrequencyLoss()(torch.randn(4, 3, 16, 16), torch.randn(4, 3, 16, 16))
    assert shapes == [(1, 1, 3, 16, 16)] * 2
    shapes.clear()
    FocalFrequencyLoss(spectrum_of_mean=False)(torch.randn(4, 3, 16, 16), torch.randn(4, 3, 16, 16))
    assert shapes == [(4, 1, 3, 16, 16)] * 2
