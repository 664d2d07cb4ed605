from .cmid_decoder import CMIDLinearDecoder
from .cmid_local_neck import CMIDLocalNeck

__all__ = ['CMIDLinearDecoder', 'CMIDLocalNeck']
