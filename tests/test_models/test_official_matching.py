"""``coord_mode='official'`` reproduces the official CMID cell matching.

The reference below re-implements the official formula independently of ``CMIDTwoViews`` and
``CMIDLocalHead``: albumentations' crop offset as a fraction of its free range,
``i / (H - h + 1e-10)``, plus cell centres spaced in pixels of the crop, columns reversed for a
horizontal flip; each cell of view 1 takes its nearest cell of view 2 and the ``k`` closest pairs
are kept.
"""
import numpy as np
import torch

from cmid_mm.datasets import CMIDTwoViews
from cmid_mm.models import CMIDLocalHead

SIZE, GRID, PAIRS, TOL = 224, 7, 20, 1e-4


def official_cell_centres(top, left, h, w, hflip, size=SIZE, n=GRID):
    i, j = top / (size - h + 1e-10), left / (size - w + 1e-10)
    k = torch.arange(n, dtype=torch.float64)
    rows = i + (k + 0.5) * h / n
    cols = j + (k + 0.5) * w / n
    if hflip:
        cols = cols.flip(0)
    grid = torch.stack(torch.meshgrid(rows, cols, indexing='ij'), -1)
    return grid.flatten(0, 1)


def official_match(a, b, k=PAIRS):
    """{student cell: distance} of the k kept pairs, the k-th distance and every cell's nearest."""
    nearest = torch.cdist(a, b).min(1).values
    kept = torch.sort(nearest).indices[:k]
    return {int(s): float(nearest[s]) for s in kept}, float(torch.sort(nearest).values[k - 1]), nearest


def test_official_mode_gives_the_official_matched_pairs_on_random_crops():
    head = CMIDLocalHead(out_channels=8, num_pairs=PAIRS)
    img = np.zeros((SIZE, SIZE, 3), np.uint8)
    differ = []
    for seed in range(2000):
        # the same seed draws the same crops in both modes: pixel boxes feed the reference
        np.random.seed(seed)
        pixel = CMIDTwoViews(coord_mode='pixel')(dict(img=img))['crop_boxes'].astype(np.float64)
        np.random.seed(seed)
        official = CMIDTwoViews(coord_mode='official')(dict(img=img))['crop_boxes']
        a, b = (official_cell_centres(*box[:4], box[4]) for box in pixel)
        ref, kth, nearest = official_match(a, b)

        centres = head.cell_centers(torch.from_numpy(official), (GRID, GRID), (SIZE, SIZE))
        student, teacher = head.match(centres[:1], centres[1:])
        ours = dict(zip(student[0].tolist(), teacher[0].tolist()))
        # Equal distances at the k-th place are broken by sort order in the official code (an
        # unstable sort); there the same set is not defined, only which distances are kept.
        sure = {s for s, d in ref.items() if d < kth - TOL}
        tied = any(abs(float(nearest[s]) - kth) < TOL for s in range(GRID * GRID)
                   if s not in ref)
        ok = sure <= set(ours) and all(
            abs(float(torch.dist(a[s], b[t])) - float(nearest[s])) < TOL and
            float(nearest[s]) < kth + TOL for s, t in ours.items())
        if not ok or (not tied and set(ours) != set(ref)):
            differ.append(seed)
    assert not differ, f'{len(differ)} of 2000 crop pairs differ, e.g. seeds {differ[:5]}'
