"""cmid_mm.detection.rotated.coders: encode -> decode returns the boxes, angles near +-90 deg
included."""
import math

import numpy as np
import pytest
import torch
from mmdet.registry import TASK_UTILS
from mmengine.registry import DefaultScope

from cmid_mm.detection.rotated import normalize_rboxes, rboxes_to_hboxes, rboxes_to_polys
from .test_rotated_boxes import same_polygons


def build(cfg):
    with DefaultScope.overwrite_default_scope('mmdet'):
        return TASK_UTILS.build(cfg)


def gt_boxes(n=400, seed=0):
    g = torch.Generator().manual_seed(seed)
    boxes = torch.cat([torch.rand(n, 2, generator=g) * 200, torch.rand(n, 2, generator=g) * 60 + 4,
                       (torch.rand(n, 1, generator=g) - .5) * math.pi], 1)
    near_90 = torch.tensor([[50., 50., 40., 12., a] for a in (
        -math.pi / 2, -math.pi / 2 + 1e-3, math.pi / 2 - 1e-3, math.pi / 2 - 1e-6, 0., 1e-3)])
    return normalize_rboxes(torch.cat([boxes, near_90]))


def test_coders_are_registered_with_their_encode_size():
    assert build(dict(type='MidpointOffsetCoder')).encode_size == 6
    assert build(dict(type='DeltaXYWHTRBoxCoder')).encode_size == 5
    with pytest.raises(ValueError, match='6 values'):
        build(dict(type='MidpointOffsetCoder', target_stds=[1.] * 4))


def test_midpoint_offset_round_trip():
    coder = build(dict(type='MidpointOffsetCoder'))
    gts = gt_boxes()
    g = torch.Generator().manual_seed(1)
    hboxes = rboxes_to_hboxes(gts)
    side = (hboxes[:, 2:] - hboxes[:, :2]).min(1, keepdim=True).values
    anchors = hboxes + torch.randn(len(gts), 4, generator=g).clamp(-2, 2) * side / 8
    deltas = coder.encode(anchors, gts)
    assert deltas.shape == (len(gts), 6)
    decoded = coder.decode(anchors, deltas)
    assert same_polygons(rboxes_to_polys(decoded).numpy(), rboxes_to_polys(gts).numpy(),
                         atol=1e-2)
    assert (decoded[:, 4] >= -math.pi / 2).all() and (decoded[:, 4] < math.pi / 2).all()


def test_midpoint_offset_zero_deltas_of_a_square_anchor_give_its_inscribed_rectangle():
    coder = build(dict(type='MidpointOffsetCoder'))
    box = coder.decode(torch.tensor([[0., 0., 20., 10.]]), torch.zeros(1, 6))
    # vertices at the edge midpoints, diagonals stretched to the longer (20): a 45-degree square
    np.testing.assert_allclose(box[0, :2], [10., 5.], atol=1e-5)
    np.testing.assert_allclose(box[0, 2:4], [20 / math.sqrt(2)] * 2, atol=1e-4)


def test_delta_xywht_round_trip_and_small_angle_deltas():
    coder = build(dict(type='DeltaXYWHTRBoxCoder', target_stds=[1.] * 5))
    gts = gt_boxes()
    g = torch.Generator().manual_seed(2)
    proposals = normalize_rboxes(gts + torch.randn(len(gts), 5, generator=g) *
                                 torch.tensor([3., 3., 3., 3., .4]))
    proposals[:, 2:4] = proposals[:, 2:4].clamp(min=2)
    deltas = coder.encode(proposals, gts)
    assert deltas[:, 4].abs().max() <= math.pi / 4 + 1e-5  # the edge swap keeps |dt| small
    decoded = coder.decode(proposals, deltas)
    assert same_polygons(rboxes_to_polys(decoded).numpy(), rboxes_to_polys(gts).numpy(),
                         atol=1e-2)


def test_delta_xywht_targets_are_zero_for_equal_boxes_across_the_90_degree_wrap():
    coder = build(dict(type='DeltaXYWHTRBoxCoder'))
    a = torch.tensor([[50., 50., 40., 12., -math.pi / 2]])
    b = torch.tensor([[50., 50., 40., 12., math.pi / 2 - 1e-6]])
    assert coder.encode(a, b).abs().max() < 1e-4
