"""Segmentors, registered in mmseg's MODELS."""
from .auto_width_encoder_decoder import AutoWidthEncoderDecoder

__all__ = ['AutoWidthEncoderDecoder']
