"""Bitemporal change detection on mmseg with CMID (or any mmpretrain/mmseg) backbones.

Everything registers into mmseg's registries (datasets, transforms, models, metric, hook), so
change-detection configs use ``default_scope = 'mmseg'``. Model input: ``(B, 2C, H, W)``, date A's
C bands then date B's, normalised per date (see ``BitemporalDataPreProcessor``).
"""
from .change_map_hook import ChangeMapHook
from .data_preprocessor import BitemporalDataPreProcessor
from .datasets import BitemporalDataset, CDDBitemporalDataset, LEVIRCDBitemporalDataset
from .metric import ChangeDetectionMetric
from .models import BITHead, BitemporalFusionNeck, SiameseEncoderDecoder
from .transforms import ApplyToEachDate, LoadChangeLabel, LoadImagePairFromFile

__all__ = [
    'ChangeMapHook', 'BitemporalDataPreProcessor', 'BitemporalDataset', 'CDDBitemporalDataset',
    'LEVIRCDBitemporalDataset', 'ChangeDetectionMetric', 'BITHead', 'BitemporalFusionNeck',
    'SiameseEncoderDecoder', 'ApplyToEachDate', 'LoadChangeLabel', 'LoadImagePairFromFile'
]
