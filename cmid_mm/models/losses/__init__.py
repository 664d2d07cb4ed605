from .focal_frequency_loss import FocalFrequencyLoss
from .focal_l1_loss import FocalL1Loss

__all__ = ['FocalFrequencyLoss', 'FocalL1Loss']
