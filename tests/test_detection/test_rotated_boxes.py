"""cmid_mm.detection.rotated.boxes and .transforms: representation, IoU, NMS, geometry."""
import math

import numpy as np
import pytest
import shapely
import torch

from cmid_mm.detection.rotated import (batched_rotated_nms, flip_rboxes, normalize_rboxes,
                                       polys_to_rboxes, rbox_iou, rboxes_to_hboxes,
                                       rboxes_to_polys, rescale_rboxes, rotate90_rboxes)
from cmid_mm.detection.rotated.transforms import (RotatedRandomFlip, RotatedRandomRotate90,
                                                  RotatedResize)


def random_rboxes(rng, n, size=100.):
    return normalize_rboxes(np.stack([
        rng.uniform(0, size, n), rng.uniform(0, size, n), rng.uniform(2, 50, n),
        rng.uniform(2, 50, n), rng.uniform(-math.pi, math.pi, n)], 1).astype(np.float32))


def same_polygons(a, b, atol=1e-3):
    """(N, 8) polygons equal up to the order (rotation / reversal) of their corners."""
    a, b = a.reshape(-1, 4, 2), b.reshape(-1, 4, 2)
    for p, q in zip(a, b):
        orders = [np.roll(q, k, 0) for k in range(4)] + [np.roll(q[::-1], k, 0)
                                                          for k in range(4)]
        if not any(np.allclose(p, o, atol=atol) for o in orders):
            return False
    return True


def test_normalized_form_is_le90():
    boxes = random_rboxes(np.random.default_rng(0), 500)
    assert (boxes[:, 2] >= boxes[:, 3]).all()
    assert (boxes[:, 4] >= -math.pi / 2).all() and (boxes[:, 4] < math.pi / 2).all()


def test_normalize_keeps_the_rectangle():
    rng = np.random.default_rng(1)
    raw = np.stack([rng.uniform(0, 99, 200), rng.uniform(0, 99, 200), rng.uniform(2, 50, 200),
                    rng.uniform(2, 50, 200), rng.uniform(-7, 7, 200)], 1).astype(np.float32)
    assert same_polygons(rboxes_to_polys(raw), rboxes_to_polys(normalize_rboxes(raw)))


def test_polygon_round_trip():
    boxes = random_rboxes(np.random.default_rng(2), 300)
    polys = rboxes_to_polys(boxes)
    assert same_polygons(rboxes_to_polys(polys_to_rboxes(polys)), polys, atol=1e-2)


def test_corners_are_clockwise_on_screen():
    poly = rboxes_to_polys(np.float32([[0, 0, 4, 2, 0.3]])).reshape(4, 2)
    x, y = poly[:, 0], poly[:, 1]
    signed_area = 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    assert signed_area > 0  # positive in y-down image coordinates: clockwise on screen


def test_rotated_iou_equals_shapely():
    rng = np.random.default_rng(3)
    a, b = random_rboxes(rng, 60, 60.), random_rboxes(rng, 50, 60.)
    ious = rbox_iou(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    pa = shapely.polygons(rboxes_to_polys(a).reshape(-1, 4, 2))
    pb = shapely.polygons(rboxes_to_polys(b).reshape(-1, 4, 2))
    inter = shapely.area(shapely.intersection(pa[:, None], pb[None]))
    union = shapely.area(pa)[:, None] + shapely.area(pb)[None] - inter
    assert (inter > 0).sum() > 100  # the case is not trivial
    np.testing.assert_allclose(ious, inter / union, atol=1e-4)


def test_rotated_iou_of_degenerate_boxes_is_zero():
    gt = torch.tensor([[50., 50., 40., 20., 0.3]])
    flat = torch.tensor([[-17., 66., 504., 1e-6, 1.52], [50., 50., 40., 1e-5, 0.3]])
    assert rbox_iou(flat, gt).max() == 0


def test_hboxes_enclose_polygons():
    boxes = random_rboxes(np.random.default_rng(4), 100)
    xy = rboxes_to_polys(boxes).reshape(-1, 4, 2)
    expected = np.concatenate([xy.min(1), xy.max(1)], 1)
    np.testing.assert_allclose(rboxes_to_hboxes(boxes), expected, atol=1e-3)


def test_batched_rotated_nms_is_per_class():
    boxes = torch.tensor([[50., 50., 40., 20., 0.3], [51., 50., 40., 20., 0.3],
                          [51., 50., 40., 20., 0.3], [10., 10., 8., 4., 0.]])
    scores = torch.tensor([0.9, 0.8, 0.7, 0.6])
    dets, keep = batched_rotated_nms(boxes, scores, torch.tensor([0, 0, 1, 0]), 0.5)
    assert keep.tolist() == [0, 2, 3]
    assert dets.shape == (3, 6) and torch.allclose(dets[:, 5], scores[[0, 2, 3]])


def _map_points(polys, fn):
    xy = polys.reshape(-1, 4, 2)
    return np.stack(fn(xy[..., 0], xy[..., 1]), -1).reshape(-1, 8)


@pytest.mark.parametrize('direction', ['horizontal', 'vertical', 'diagonal'])
def test_flip_moves_the_polygon(direction):
    height, width = 90, 120
    boxes = random_rboxes(np.random.default_rng(5), 100, 90.)
    flipped = flip_rboxes(boxes, (height, width), direction)
    hor, ver = direction in ('horizontal', 'diagonal'), direction in ('vertical', 'diagonal')
    expected = _map_points(rboxes_to_polys(boxes), lambda x, y: (width - x if hor else x,
                                                                 height - y if ver else y))
    assert same_polygons(rboxes_to_polys(flipped), expected)
    assert (flipped[:, 4] >= -math.pi / 2).all() and (flipped[:, 4] < math.pi / 2).all()


@pytest.mark.parametrize('k', [1, 2, 3])
def test_rotate90_moves_the_polygon(k):
    height, width = 90, 120
    boxes = random_rboxes(np.random.default_rng(6), 100, 90.)
    polys = rboxes_to_polys(boxes)
    h, w = height, width
    for _ in range(k):
        polys = _map_points(polys, lambda x, y, h=h: (h - y, x))
        h, w = w, h
    assert same_polygons(rboxes_to_polys(rotate90_rboxes(boxes, (height, width), k)), polys)


def test_rescale_moves_the_polygon():
    boxes = random_rboxes(np.random.default_rng(7), 50)
    out = rescale_rboxes(boxes, (1.5, 1.5))
    assert same_polygons(rboxes_to_polys(out), rboxes_to_polys(boxes) * 1.5)
    sheared = rescale_rboxes(boxes, (2., 1.))  # min-area rectangle of the parallelogram
    assert same_polygons(rboxes_to_polys(sheared[:1]), rboxes_to_polys(sheared[:1]))
    np.testing.assert_allclose(sheared[:, 0], boxes[:, 0] * 2, atol=1e-3)


def _results(rng):
    img = rng.integers(0, 255, (60, 80, 3), np.uint8)
    boxes = random_rboxes(rng, 5, 50.)
    return dict(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2], gt_bboxes=boxes)


def test_random_flip_transform_flips_image_and_boxes():
    rng = np.random.default_rng(8)
    transform = RotatedRandomFlip(prob=[0.25, 0.25, 0.25],
                                  direction=['horizontal', 'vertical', 'diagonal'])
    seen = set()
    for _ in range(40):
        results = _results(rng)
        img, boxes = results['img'].copy(), results['gt_bboxes'].copy()
        out = transform(results)
        direction = out['flip_direction'] if out['flip'] else None
        seen.add(direction)
        if direction is None:
            np.testing.assert_array_equal(out['gt_bboxes'], boxes)
            continue
        axes = dict(horizontal=(1, ), vertical=(0, ), diagonal=(0, 1))[direction]
        np.testing.assert_array_equal(out['img'], np.flip(img, axes))
        assert same_polygons(rboxes_to_polys(out['gt_bboxes']),
                             rboxes_to_polys(flip_rboxes(boxes, img.shape[:2], direction)))
    assert seen == {None, 'horizontal', 'vertical', 'diagonal'}


def test_resize_transform_scales_boxes():
    results = _results(np.random.default_rng(9))
    boxes = results['gt_bboxes'].copy()
    out = RotatedResize(scale=(160, 160), keep_ratio=True)(results)
    assert out['img'].shape[:2] == (120, 160)
    assert same_polygons(rboxes_to_polys(out['gt_bboxes']), rboxes_to_polys(boxes) * 2)


def test_rotate90_transform_rotates_image_and_boxes():
    np.random.seed(0)
    results = _results(np.random.default_rng(10))
    img, boxes = results['img'].copy(), results['gt_bboxes'].copy()
    out = RotatedRandomRotate90(prob=1.)(results)
    k = out['rotate90_k']
    np.testing.assert_array_equal(out['img'], np.rot90(img, -k))
    assert out['img_shape'] == out['img'].shape[:2]
    assert same_polygons(rboxes_to_polys(out['gt_bboxes']),
                         rboxes_to_polys(rotate90_rboxes(boxes, img.shape[:2], k)))
