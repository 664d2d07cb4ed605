from .band_adapter import AdaptInputBands, adapt_input_weight, register_band_adapter
from .mask_utils import fill_masked_with_mean, resize_block_mask
from .nband_data_preprocessor import (NBandDetDataPreprocessor, NBandNormalization,
                                      NBandSelfSupDataPreprocessor)

__all__ = [
    'AdaptInputBands', 'NBandDetDataPreprocessor', 'NBandNormalization',
    'NBandSelfSupDataPreprocessor', 'adapt_input_weight', 'fill_masked_with_mean',
    'register_band_adapter', 'resize_block_mask'
]
