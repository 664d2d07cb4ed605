"""Real imagery with exact oriented labels for the oriented-detection demo: deepforest's NEON
tree-crown patches (demo/demo_downstream_data.py), each rotated about its centre by a random
angle.

A rotated axis-aligned box is an exact rotated rectangle, so the labels stay exact (up to the
0.1 px of DOTA's label format). After the rotation the patch's corners are filled with a
constant; a crown whose rotated box leaves the patch is kept as *difficult* (its full box):
neither trained on nor scored by ``DOTAMetric``, since only part of it is visible.

    python demo/demo_oriented_data.py --out data/neon_trees_rotated_demo
"""
import argparse
import glob
import math
import os.path as osp
import tempfile

import cv2
import numpy as np
from cmid_mm.detection import dump_dota_labels, load_dota_labels, polygons_to_hboxes
from cmid_mm.detection.rotated import normalize_rboxes
from demo_downstream_data import _fresh_dir, prepare_neon_trees


def rotate_patch(image: np.ndarray, boxes: np.ndarray, degrees: float, fill: int = 0):
    """Rotate ``image`` about its centre by ``degrees`` (counter-clockwise on the screen, as
    ``cv2.getRotationMatrix2D``), same size, and its axis-aligned ``boxes`` ``(N, 4)``.

    Returns:
        tuple: the rotated image, the ``le90`` boxes ``(N, 5)``, their polygons ``(N, 8)``
        (the rotated corners), and whether each polygon stays inside the image ``(N,)``.
    """
    height, width = image.shape[:2]
    # box coordinates are continuous (pixel i spans [i, i + 1)), cv2 maps pixel centres: the
    # continuous centre (w / 2, h / 2) is the pixel-index point ((w - 1) / 2, (h - 1) / 2)
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), degrees, 1.0)
    rotated = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=(fill, ) * 3)
    x1, y1, x2, y2 = np.asarray(boxes, np.float64).reshape(-1, 4).T
    corners = np.stack([x1, y1, x2, y1, x2, y2, x1, y2], 1).reshape(-1, 4, 2)
    polys = (corners - 0.5) @ matrix[:, :2].T + matrix[:, 2] + 0.5
    # the box's w edge (along x) turns by -degrees in le90's clockwise-on-screen sense
    centres = polys.mean(axis=1)
    rboxes = normalize_rboxes(np.concatenate([
        centres, np.stack([x2 - x1, y2 - y1, np.full_like(x1, -math.radians(degrees))], 1)],
        1))
    inside = ((polys >= 0) & (polys <= [width, height])).all(axis=(1, 2))
    return rotated, rboxes.astype(np.float32), polys.reshape(-1, 8), inside


def prepare_rotated_neon_trees(out_dir: str, patch_size: int = 256, seed: int = 0) -> dict:
    """Write ``{train,val}/images/*.png`` and ``{train,val}/labelTxt/*.txt`` (DOTA layout, read by
    ``DOTADataset``): the tree patches of the downstream demo (val = the bottom quarter of each
    scene), each rotated by an angle drawn uniformly in [-90, 90) degrees.

    Returns:
        dict: number of patches, trees and difficult (cut) trees per split.
    """
    rng = np.random.default_rng(seed)
    stats = {}
    with tempfile.TemporaryDirectory() as hbb_dir:
        prepare_neon_trees(hbb_dir, patch_size)
        for split in ('train', 'val'):
            for sub in ('images', 'labelTxt'):
                _fresh_dir(osp.join(out_dir, split, sub))
            stats[split] = dict(patches=0, trees=0, difficult=0)
            for label_path in sorted(glob.glob(osp.join(hbb_dir, split, 'labelTxt', '*.txt'))):
                name = osp.splitext(osp.basename(label_path))[0]
                image = cv2.imread(osp.join(hbb_dir, split, 'images', f'{name}.png'))
                polys, labels, _ = load_dota_labels(label_path)
                image, _, polys, inside = rotate_patch(image, polygons_to_hboxes(polys),
                                                       rng.uniform(-90, 90))
                cv2.imwrite(osp.join(out_dir, split, 'images', f'{name}.png'), image)
                dump_dota_labels(osp.join(out_dir, split, 'labelTxt', f'{name}.txt'), polys,
                                 labels, (~inside).astype(int))
                stats[split]['patches'] += 1
                stats[split]['trees'] += int(inside.sum())
                stats[split]['difficult'] += int((~inside).sum())
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/neon_trees_rotated_demo')
    args = parser.parse_args()
    print('NEON trees, rotated:', prepare_rotated_neon_trees(args.out))


if __name__ == '__main__':
    main()
