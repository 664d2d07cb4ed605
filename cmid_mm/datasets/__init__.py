"""Datasets and transforms, registered in mmpretrain's DATASETS / TRANSFORMS."""
from .transforms import *  # noqa: F401,F403
from .unlabeled_rs_dataset import RS_IMAGE_EXTENSIONS, UnlabeledRSDataset

__all__ = ['RS_IMAGE_EXTENSIONS', 'UnlabeledRSDataset']
