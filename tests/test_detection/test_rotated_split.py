"""cmid_mm.detection.rotated.split: oriented DOTA split (``dota_split.py --oriented``), and merge
back to the scene."""
import math

import numpy as np
import shapely

from cmid_mm.detection.rotated import (merge_rotated_patch_detections, polys_to_rboxes,
                                       rboxes_to_polys, rotated_objects_in_window,
                                       split_scene_rotated)
from .test_rotated_boxes import same_polygons

# scene 300 x 400, patches 200 with a 100 gap -> x starts 0 100 200, y starts 0 100
BOXES = np.float32([
    [150, 150, 40, 16, 0.4],   # inside the overlap of several patches
    [60, 40, 30, 12, -1.0],    # top-left patch only
    [330, 240, 50, 20, math.pi / 3],
])


def test_cut_object_is_clipped_and_kept_by_visible_ratio():
    poly = rboxes_to_polys(np.float32([[100, 50, 40, 20, 0.]]))  # x 80..120
    keep, out = rotated_objects_in_window(poly, (0, 0, 110, 100), iof_thr=0.7)
    assert keep.tolist() == [0]  # 30 / 40 visible
    clipped = shapely.polygons(out.reshape(-1, 4, 2))[0]
    assert np.allclose(clipped.bounds, (80, 40, 110, 60), atol=1e-3)
    keep, _ = rotated_objects_in_window(poly, (0, 0, 100, 100), iof_thr=0.7)  # half visible
    assert keep.tolist() == []


def test_split_then_merge_returns_the_scene_boxes():
    image = np.zeros((300, 400, 3), np.uint8)
    polys = rboxes_to_polys(BOXES)
    patches = list(split_scene_rotated(image, polys, ['plane', 'ship', 'plane'], [0, 0, 1],
                                       'P0007', patch_size=200, gap=100))
    assert len(patches) == 3 * 2
    per_box = np.zeros(len(BOXES), int)
    detections = {}
    for p in patches:
        assert p.image.shape == (200, 200, 3)
        boxes = polys_to_rboxes(p.polys)  # patch pixels, as a detector would predict them
        labels = np.int64([['plane', 'ship'].index(n) for n in p.labels])
        scores = np.full(len(boxes), 0.5, np.float32)  # clipped objects score lower
        for k, poly in enumerate(p.polys + np.tile(np.float32([p.x, p.y]), 4)):
            for i, ref in enumerate(polys):
                if same_polygons(poly[None], ref[None], atol=1e-2):
                    per_box[i] += 1
                    scores[k] = 0.9
        detections[p.name] = (boxes, scores, labels)
    assert per_box[0] >= 2  # the first object is whole in several overlapping patches
    merged = merge_rotated_patch_detections(detections, iou_thr=0.1)
    boxes, scores, labels = merged['P0007']
    order = np.argsort(boxes[:, 0])
    expected = BOXES[np.argsort(BOXES[:, 0])]
    assert len(boxes) == len(BOXES)
    assert same_polygons(rboxes_to_polys(boxes[order]), rboxes_to_polys(expected), atol=1e-2)
    assert sorted(labels.tolist()) == [0, 0, 1] and (scores == np.float32(0.9)).all()


def test_merge_undoes_the_rate():
    det = {'P0001__0.5__100___50': (np.float32([[10, 20, 8, 4, 0.2]]), np.float32([.8]),
                                    np.int64([3]))}
    boxes, scores, labels = merge_rotated_patch_detections(det)['P0001']
    np.testing.assert_allclose(boxes, [[220, 140, 16, 8, 0.2]], atol=1e-4)
    assert scores.tolist() == [np.float32(.8)] and labels.tolist() == [3]


def test_command_line_writes_patches_and_labels(tmp_path):
    import os.path as osp
    import subprocess
    import sys

    import cv2
    from cmid_mm.detection import load_dota_labels
    from cmid_mm.detection.dota import dump_dota_labels
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    for sub in ('images', 'labelTxt'):
        (tmp_path / 'src' / sub).mkdir(parents=True)
    cv2.imwrite(str(tmp_path / 'src/images/P0007.png'), np.zeros((300, 400, 3), np.uint8))
    dump_dota_labels(str(tmp_path / 'src/labelTxt/P0007.txt'), rboxes_to_polys(BOXES),
                     ['plane', 'ship', 'plane'], [0, 0, 1])
    proc = subprocess.run([sys.executable, 'tools/dataset_converters/dota_split.py',
                           str(tmp_path / 'src'), str(tmp_path / 'dst'), '--oriented',
                           '--patch-size', '200', '--gap', '100'],
                          cwd=repo, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(list((tmp_path / 'dst/images').glob('P0007__1__*___*.png'))) == 6
    polys, names, difficult = load_dota_labels(str(tmp_path / 'dst/labelTxt/P0007__1__0___0.txt'))
    assert 'ship' in names and len(polys) == len(names) == len(difficult)
