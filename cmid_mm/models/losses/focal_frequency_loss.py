from focal_frequency_loss import FocalFrequencyLoss as _OfficialFFL
from mmpretrain.registry import MODELS


@MODELS.register_module()
class FocalFrequencyLoss(_OfficialFFL):
    """The official focal frequency loss (PyPI ``focal-frequency-loss``), registered for configs.

    CMID's defaults: alpha 1, spectrum averaged over the batch, log-adjusted weight matrix
    normalised by its batch maximum.
    """

    def __init__(self, loss_weight: float = 1.0, alpha: float = 1.0, patch_factor: int = 1,
                 ave_spectrum: bool = True, log_matrix: bool = True, batch_matrix: bool = True):
        super().__init__(loss_weight=loss_weight, alpha=alpha, patch_factor=patch_factor,
                         ave_spectrum=ave_spectrum, log_matrix=log_matrix,
                         batch_matrix=batch_matrix)
