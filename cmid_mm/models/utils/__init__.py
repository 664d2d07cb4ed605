from .nband_data_preprocessor import (NBandDetDataPreprocessor, NBandSelfSupDataPreprocessor,
                                      set_band_normalization)
from .nband_weights import adapt_input_weight, register_band_adapter

__all__ = [
    'NBandDetDataPreprocessor', 'NBandSelfSupDataPreprocessor', 'set_band_normalization',
    'adapt_input_weight', 'register_band_adapter'
]
