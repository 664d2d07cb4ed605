"""Datasets and transforms, registered in mmpretrain's DATASETS / TRANSFORMS."""
from .transforms import *  # noqa: F401,F403
from .scene_classification import (AID, NWPURESISC45, SCENE_DATASETS, SceneClassificationDataset,
                                   UCMerced, make_scene_splits)
from .unlabeled_rs_dataset import RS_IMAGE_EXTENSIONS, UnlabeledRSDataset

__all__ = [
    'AID', 'NWPURESISC45', 'SCENE_DATASETS', 'SceneClassificationDataset', 'UCMerced',
    'make_scene_splits', 'RS_IMAGE_EXTENSIONS', 'UnlabeledRSDataset'
]
