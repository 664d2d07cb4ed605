"""Datasets and transforms, registered in mmpretrain's DATASETS / TRANSFORMS."""
from .transforms import *  # noqa: F401,F403
from .scene_classification import (AID, NWPURESISC45, SCENE_DATASETS, SceneClassificationDataset,
                                   UCMerced, make_scene_splits)
from .unlabeled_rs_dataset import RS_IMAGE_EXTENSIONS, UnlabeledRSDataset
from .band_stats import BandStatistics, band_statistics  # noqa: F401,E402  after its imports

__all__ = [
    'AID', 'NWPURESISC45', 'SCENE_DATASETS', 'SceneClassificationDataset', 'UCMerced',
    'make_scene_splits', 'RS_IMAGE_EXTENSIONS', 'UnlabeledRSDataset'
]
