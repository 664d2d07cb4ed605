from .bit_head import BITHead
from .fusion_neck import BitemporalFusionNeck
from .siamese_encoder_decoder import SiameseEncoderDecoder

__all__ = ['BITHead', 'BitemporalFusionNeck', 'SiameseEncoderDecoder']
