"""Tiny fake UCM / AID / NWPU-RESISC45 trees in their published folder layouts."""
import os
import os.path as osp

import cv2
import numpy as np

from cmid_mm.datasets import AID, NWPURESISC45, UCMerced

NAMES = {'ucmerced': UCMerced, 'aid': AID, 'nwpu': NWPURESISC45}


def image_name(cls, class_name, i):
    """UCM: agricultural00.tif; AID: airport_1.jpg; NWPU: airplane_001.jpg."""
    if cls is UCMerced:
        return f'{class_name}{i:02d}.tif'
    if cls is AID:
        return f'{class_name.lower()}_{i + 1}.jpg'
    return f'{class_name}_{i + 1:03d}.jpg'


def make_scene_tree(root, cls, counts, size=32):
    """Write ``counts[label]`` (or ``counts`` for every class) images per class; returns root."""
    rng = np.random.default_rng(0)
    for label, name in enumerate(cls.METAINFO['classes']):
        folder = osp.join(str(root), cls.IMAGE_DIR, name)
        os.makedirs(folder, exist_ok=True)
        for i in range(counts if isinstance(counts, int) else counts[label]):
            path = osp.join(folder, image_name(cls, name, i))
            cv2.imwrite(path, rng.integers(0, 255, (size, size, 3), dtype=np.uint8))
    return root
