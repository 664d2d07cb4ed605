"""Tiny bitemporal datasets written to disk for the change-detection tests."""
import os

import cv2
import numpy as np

LAYOUTS = {  # dataset type -> (label folder, file suffix)
    'LEVIRCDBitemporalDataset': ('label', '.png'),
    'CDDBitemporalDataset': ('OUT', '.jpg'),
}


def write_pair(root, name, img_a, img_b, label, label_dir='label', suffix='.png'):
    for sub, img in (('A', img_a), ('B', img_b), (label_dir, label)):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
        if img is not None:
            cv2.imwrite(os.path.join(root, sub, name + suffix), img)


def random_pair(rng, size=64):
    """A random image, the same with one inverted square (the change), and its 0/255 label."""
    img_a = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
    img_b = img_a.copy()
    label = np.zeros((size, size), np.uint8)
    label[size // 8:size // 2, size // 4:size * 3 // 4] = 255
    img_b[label > 0] = 255 - img_b[label > 0]
    return img_a, img_b, label


def make_split_dataset(root, dataset_type, splits=(('train', 2), ('val', 1), ('test', 1)),
                       size=64, seed=0):
    """LEVIR-CD or CDD layout (<split>/A, <split>/B, <split>/label|OUT) with random pairs."""
    label_dir, suffix = LAYOUTS[dataset_type]
    rng = np.random.default_rng(seed)
    for split, num in splits:
        for i in range(num):
            write_pair(os.path.join(root, split), f'{i:02d}', *random_pair(rng, size),
                       label_dir=label_dir, suffix=suffix)
    return root
