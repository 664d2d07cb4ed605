from .cmid_local_head import CMIDLocalHead
from .cmid_reconstruction_head import CMIDReconstructionHead
from .moco_queue_head import MoCoQueueHead

__all__ = ['CMIDLocalHead', 'CMIDReconstructionHead', 'MoCoQueueHead']
