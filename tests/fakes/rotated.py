"""Tiny synthetic oriented-detection data shared by the rotated tests: bright rotated rectangles
on a dark noisy background, class 0 red, class 1 green."""
import math

import cv2
import numpy as np
import torch

from cmid_mm.detection.rotated import normalize_rboxes, rbox_iou, rboxes_to_polys


def random_scene(rng, size=160, num_objects=3):
    """An ``size x size x 3`` uint8 BGR image and its ``le90`` boxes ``(K, 5)`` and labels."""
    img = rng.integers(0, 40, (size, size, 3), dtype=np.uint8)
    boxes, labels = [], []
    while len(boxes) < num_objects:
        w, h = rng.uniform(28, 60), rng.uniform(12, 24)
        cx, cy = rng.uniform(w / 2 + 4, size - w / 2 - 4, 2)
        box = normalize_rboxes(np.float32([[cx, cy, w, h, rng.uniform(-math.pi / 2,
                                                                        math.pi / 2)]]))
        poly = rboxes_to_polys(box).reshape(4, 2)
        if poly.min() < 2 or poly.max() > size - 2:
            continue
        grown = box.copy()
        grown[:, 2:4] += 8  # keep a margin between objects
        if boxes and rbox_iou(torch.from_numpy(grown),
                              torch.from_numpy(np.stack(boxes))).max() > 0:
            continue
        label = len(boxes) % 2
        cv2.fillPoly(img, [poly.round().astype(np.int32)],
                     (40, 40, 230) if label == 0 else (40, 230, 40))
        boxes.append(box[0])
        labels.append(label)
    return img, np.stack(boxes).astype(np.float32), np.array(labels, np.int64)
