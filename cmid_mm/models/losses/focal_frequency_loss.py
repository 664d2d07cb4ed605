from focal_frequency_loss import FocalFrequencyLoss as _OfficialFFL
from mmpretrain.registry import MODELS


@MODELS.register_module()
class FocalFrequencyLoss(_OfficialFFL):
    """The official focal frequency loss (PyPI ``focal-frequency-loss``), registered for configs.

    CMID's defaults: alpha 1, spectrum averaged over the batch, log-adjusted weight matrix
    normalised by its batch maximum.

    With ``ave_spectrum`` and ``spectrum_of_mean`` (the default) the images are averaged over
    the batch before one FFT instead of averaging B spectra: the DFT is linear, so the result is
    the official one up to float rounding, at 1/B of the FFT work. ``spectrum_of_mean=False``
    runs the official per-image FFTs (for comparison).
    """

    def __init__(self, loss_weight: float = 1.0, alpha: float = 1.0, patch_factor: int = 1,
                 ave_spectrum: bool = True, log_matrix: bool = True, batch_matrix: bool = True,
                 spectrum_of_mean: bool = True):
        super().__init__(loss_weight=loss_weight, alpha=alpha, patch_factor=patch_factor,
                         ave_spectrum=ave_spectrum, log_matrix=log_matrix,
                         batch_matrix=batch_matrix)
        self.spectrum_of_mean = spectrum_of_mean

    def forward(self, pred, target, matrix=None, **kwargs):
        if self.ave_spectrum and self.spectrum_of_mean:
            # the mean of a batch of one is itself: the parent's batch average changes nothing
            pred, target = pred.mean(0, keepdim=True), target.mean(0, keepdim=True)
        return super().forward(pred, target, matrix, **kwargs)
