"""High-level inference APIs over trained models (as mmseg's / Open-CD's ``apis``)."""
from .scene_inference import SceneInferencer

__all__ = ['SceneInferencer']
