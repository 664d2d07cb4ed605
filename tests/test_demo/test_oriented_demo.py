"""The oriented-detection demo step: rotated NEON tree patches keep exact boxes, and both demo
configs train 2 iterations + validate through tools/train.py on a few of them."""
import glob
import json
import math
import os.path as osp
import subprocess

import cv2
import numpy as np
import pytest
from cmid_mm.detection import load_dota_labels
from cmid_mm.detection.rotated import polys_to_rboxes, rboxes_to_polys

import demo_oriented_data

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = [
    'configs/oriented_detection/'
    'oriented-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-rotated-demo.py',
    'configs/oriented_detection/'
    'oriented-rcnn_resnet18-random_fpn_1xb4-150i_neon-trees-rotated-demo.py',
]


def same_polygons(a, b, atol):
    """(N, 8) polygons equal up to the order (rotation / reversal) of their corners."""
    for p, q in zip(a.reshape(-1, 4, 2), b.reshape(-1, 4, 2)):
        orders = [np.roll(q, k, 0) for k in range(4)] + [np.roll(q[::-1], k, 0)
                                                          for k in range(4)]
        if not any(np.allclose(p, o, atol=atol) for o in orders):
            return False
    return True


@pytest.mark.parametrize('degrees', [-90., -61.3, -45., 0., 17.2, 30., 89.9])
def test_rotated_boxes_are_the_rotated_polygons(degrees):
    rng = np.random.default_rng(0)
    height, width = 120, 160
    image = rng.integers(0, 255, (height, width, 3), np.uint8)
    xy = rng.uniform(0, [width - 30, height - 30], (40, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(4, 30, (40, 2))], 1)
    rotated, rboxes, polys, inside = demo_oriented_data.rotate_patch(image, boxes, degrees)
    # the corners turned about the image centre (y down: counter-clockwise on the screen)
    a = math.radians(degrees)
    corners = np.stack([boxes[:, [0, 1]], boxes[:, [2, 1]], boxes[:, [2, 3]],
                        boxes[:, [0, 3]]], 1) - [width / 2, height / 2]
    expected = np.stack([corners[..., 0] * math.cos(a) + corners[..., 1] * math.sin(a),
                         -corners[..., 0] * math.sin(a) + corners[..., 1] * math.cos(a)], -1)
    expected = (expected + [width / 2, height / 2]).reshape(-1, 8)
    np.testing.assert_allclose(polys, expected, atol=1e-9)
    assert same_polygons(rboxes_to_polys(rboxes), expected, atol=1e-3)
    assert (inside == ((expected >= 0) & (expected <= np.tile([width, height], 4))).all(1)).all()
    assert 0 < inside.sum() < len(boxes) or degrees == 0.
    # the image turned the same way: a bright pixel lands where its centre's rotation says
    probe = np.zeros_like(image)
    probe[30, 50] = 255
    moved, _, _, _ = demo_oriented_data.rotate_patch(probe, np.zeros((0, 4)), degrees)
    cy, cx = np.argwhere(moved[..., 0] == moved[..., 0].max()).mean(0) + 0.5
    px, py = 50.5 - width / 2, 30.5 - height / 2
    assert abs(cx - (px * math.cos(a) + py * math.sin(a) + width / 2)) <= 0.75
    assert abs(cy - (-px * math.sin(a) + py * math.cos(a) + height / 2)) <= 0.75


@pytest.fixture(scope='module')
def rotated_trees(tmp_path_factory):
    root = tmp_path_factory.mktemp('neon_trees_rotated')
    stats = demo_oriented_data.prepare_rotated_neon_trees(str(root))
    return root, stats


def test_written_labels_are_rotated_rectangles_of_the_tree_boxes(rotated_trees):
    root, stats = rotated_trees
    for split in ('train', 'val'):
        labels = sorted(glob.glob(str(root / split / 'labelTxt' / '*.txt')))
        assert len(labels) == stats[split]['patches'] > 10
        trees = difficult = 0
        for path in labels:
            polys, names, flags = load_dota_labels(path)
            assert set(names) == {'tree'}
            # written to 0.1 px: the minimum-area rectangle gives the polygon back
            assert same_polygons(rboxes_to_polys(polys_to_rboxes(polys)), polys, atol=0.15)
            image = cv2.imread(path.replace('labelTxt', 'images').replace('.txt', '.png'))
            inside = ((polys >= -0.05) & (polys <= image.shape[1] + 0.05)).all(1)
            assert (inside == (flags == 0)).all()
            trees += int((flags == 0).sum())
            difficult += int(flags.sum())
        assert (trees, difficult) == (stats[split]['trees'], stats[split]['difficult'])


@pytest.mark.parametrize('config', CONFIGS)
def test_demo_config_trains_two_iterations_and_validates(config, rotated_trees, tmp_path,
                                                         python):
    root, _ = rotated_trees
    work_dir = tmp_path / 'work'
    options = [
        f'train_dataloader.dataset.data_root={root}', f'val_dataloader.dataset.data_root={root}',
        'train_dataloader.dataset.indices=8', 'val_dataloader.dataset.indices=4',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'train_dataloader.batch_size=2',
        'default_hooks.logger.interval=1', 'default_hooks.checkpoint.interval=2',
        'default_hooks.checkpoint.save_last=False',
    ]
    if 'cmid' in config:  # no demo checkpoint in a test: the wiring is what is checked
        options.append('model.backbone.init_cfg=None')
    proc = subprocess.run([python, 'tools/train.py', config, '--work-dir', str(work_dir),
                           '--cfg-options', *options], cwd=REPO, capture_output=True,
                          text=True, timeout=900)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-5000:]
    scalars = glob.glob(str(work_dir / '*' / 'vis_data' / 'scalars.json'))
    records = [json.loads(line) for line in open(scalars[0])]
    assert any('loss_rpn_bbox' in r and 'loss_bbox' in r for r in records)
    ap50 = [r['dota/AP50'] for r in records if 'dota/AP50' in r]
    assert len(ap50) == 1 and 0 <= ap50[0] <= 1
