"""cmid_mm.detection.rotated.boxes and .transforms: representation, IoU, NMS, geometry."""
import math

import numpy as np
import pytest
import shapely
import torch

from cmid_mm.detection.rotated import (batched_rotated_nms, flip_rboxes,
                                       multiclass_rotated_nms, normalize_rboxes,
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


def shapely_iou(a, b, aligned=False):
    pa = shapely.polygons(rboxes_to_polys(a.astype(np.float64)).reshape(-1, 4, 2))
    pb = shapely.polygons(rboxes_to_polys(b.astype(np.float64)).reshape(-1, 4, 2))
    if not aligned:
        pa, pb = pa[:, None], pb[None]
    inter = shapely.area(shapely.intersection(pa, pb))
    return inter / (shapely.area(pa) + shapely.area(pb) - inter), inter


def test_rotated_iou_equals_shapely():
    rng = np.random.default_rng(3)
    a, b = random_rboxes(rng, 60, 60.), random_rboxes(rng, 50, 60.)
    ious = rbox_iou(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    expected, inter = shapely_iou(a, b)
    assert (inter > 0).sum() > 100  # the case is not trivial
    np.testing.assert_allclose(ious, expected, atol=1e-4)


def nearly_coincident_pairs(rng, n=3000):
    """Boxes and partners where mmcv's box_iou_rotated is wrong (a corner on or next to an edge
    line of the other box): shifted along the long edge, half as high, equal up to float
    rounding, sharing a corner at another angle."""
    a = random_rboxes(rng, n, 1000.)
    cos, sin = np.cos(a[:, 4]), np.sin(a[:, 4])
    shift = rng.uniform(0, 1, n) * a[:, 2]
    along = a.copy()
    along[:, 0] += shift * cos
    along[:, 1] += shift * sin
    half = a.copy()
    half[:, 3] /= 2
    rounding = a.copy()
    rounding[:, :2] = (a[:, :2] + 824.) - np.float32(824.)
    rounding[:, 4] += 1e-7
    corner = a.copy()
    corner[:, 4] = rng.uniform(-math.pi / 2, math.pi / 2, n)
    corner[:, :2] += rboxes_to_polys(a)[:, :2] - rboxes_to_polys(corner)[:, :2]
    partners = normalize_rboxes(np.concatenate([along, half, rounding, corner]))
    return np.tile(a, (4, 1)), partners.astype(np.float32)


def test_rotated_iou_is_exact_where_mmcv_is_not():
    a, b = nearly_coincident_pairs(np.random.default_rng(11))
    expected, _ = shapely_iou(a, b, aligned=True)
    aligned = rbox_iou(torch.from_numpy(a), torch.from_numpy(b), aligned=True).numpy()
    np.testing.assert_allclose(aligned, expected, atol=1e-4)
    pairwise = rbox_iou(torch.from_numpy(a[:300]), torch.from_numpy(b[:300])).numpy()
    np.testing.assert_allclose(np.diag(pairwise), expected[:300], atol=1e-4)
    iof = rbox_iou(torch.from_numpy(a), torch.from_numpy(b), mode='iof', aligned=True).numpy()
    pa = shapely.polygons(rboxes_to_polys(a.astype(np.float64)).reshape(-1, 4, 2))
    pb = shapely.polygons(rboxes_to_polys(b.astype(np.float64)).reshape(-1, 4, 2))
    np.testing.assert_allclose(iof, shapely.area(shapely.intersection(pa, pb)) /
                               shapely.area(pa), atol=1e-4)


def test_rotated_nms_removes_duplicates_equal_up_to_rounding():
    """A box detected in two overlapping patches, shifted back to scene pixels: the copies
    differ by float rounding and must be merged (mmcv's nms_rotated keeps some)."""
    rng = np.random.default_rng(12)
    a = random_rboxes(rng, 500, 1000.)
    copies = a.copy()
    copies[:, :2] = (a[:, :2] + 824.) - np.float32(824.)
    copies[:, 4] += 1e-7
    for i in range(len(a)):
        boxes = torch.from_numpy(np.stack([a[i], copies[i]]))
        dets, keep = batched_rotated_nms(boxes, torch.tensor([0.9, 0.8]),
                                         torch.zeros(2, dtype=torch.long), 0.5)
        assert keep.tolist() == [0], (i, a[i])


def test_multiclass_rotated_nms_is_per_class_with_a_score_threshold():
    boxes = torch.tensor([[50., 50., 40., 20., 0.3], [51., 50., 40., 20., 0.3],
                          [10., 10., 8., 4., 0.]])
    scores = torch.tensor([[0.9, 0.8, 0.1], [0.7, 0.02, 0.28], [0.6, 0.01, 0.39]])
    dets, labels = multiclass_rotated_nms(boxes, scores, score_thr=0.05, iou_thr=0.5)
    # class 0: box 0 suppresses box 1, box 2 kept; class 1: box 0 only (others under 0.05)
    assert labels.tolist() == [0, 1, 0]
    torch.testing.assert_close(dets[:, 5], torch.tensor([0.9, 0.8, 0.6]))
    torch.testing.assert_close(dets[:, :5], boxes[[0, 0, 2]])
    dets, labels = multiclass_rotated_nms(boxes, scores, 0.05, 0.5, max_num=2)
    assert len(dets) == 2


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
