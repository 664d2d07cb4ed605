"""Bitemporal pipeline: shared geometric and per-date photometric transforms, loading errors."""
import copy
import os.path as osp
import random

import cv2
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.config import Config

from ..fakes.change_pairs import write_pair

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CDD_BASE = osp.join(REPO, 'configs/_base_/datasets/cd_cdd.py')


def planted_pair(tmp_path, size=96):
    """An asymmetric pattern (bright on dark) planted at the same place in A, B and the label."""
    rng = np.random.default_rng(1)
    pattern = np.kron(rng.random((size // 8, size // 8)) > 0.6, np.ones((8, 8))).astype(bool)
    pattern[:size // 3, :size // 4] = True  # an off-centre block: every flip/turn moves it
    img = np.where(pattern[..., None], 255, 0).astype(np.uint8).repeat(3, axis=2)
    write_pair(str(tmp_path), 'p', img, img, pattern.astype(np.uint8) * 255)
    return pattern, dict(img_path=str(tmp_path / 'A/p.png'), img_path2=str(tmp_path / 'B/p.png'),
                         seg_map_path=str(tmp_path / 'label/p.png'), reduce_zero_label=False,
                         seg_fields=[])


def masks(packed, threshold):
    img = packed['inputs'].numpy()  # (6, H, W): date A bands, date B bands
    label = packed['data_samples'].gt_sem_seg.data[0].numpy()
    return img[:3].mean(0) > threshold, img[3:].mean(0) > threshold, label == 1


def config_pipeline(drop=(), **crop):
    steps = [t for t in Config.fromfile(CDD_BASE).train_pipeline if t['type'] not in drop]
    for t in steps:
        if t['type'] == 'RandomCrop' and crop:
            t.update(crop)
    return Compose(steps)


def test_dates_and_label_get_identical_crops_flips_rotations(tmp_path):
    # The CDD config's training pipeline (per-date photometric distortion included) without the
    # resize, whose interpolation blurs edges: every remaining step moves whole pixels, so the
    # pattern must sit on exactly the same pixels in date A, date B and the label.
    pattern, results = planted_pair(tmp_path)
    pipeline = config_pipeline(drop=('RandomResize', ), crop_size=(64, 64))
    seen = set()
    for seed in range(24):
        random.seed(seed)
        np.random.seed(seed)
        out = pipeline(copy.deepcopy(results))
        # photometric distortion keeps dark <= 48 and bright >= 95
        mask_a, mask_b, label = masks(out, threshold=72)
        assert mask_a.shape == (64, 64)
        np.testing.assert_array_equal(mask_a, label)
        np.testing.assert_array_equal(mask_b, label)
        seen.add(label.tobytes())
    # crops, flips and 90-degree turns did move the pattern (or this test could not fail)
    assert len(seen) > 12


def test_resize_keeps_dates_aligned(tmp_path):
    # The full geometric part of the pipeline (random resize included); without photometric
    # changes both dates must be bit-identical; the label (resized nearest, the images bilinear)
    # may differ from them only within 2 px of a pattern edge.
    _, results = planted_pair(tmp_path)
    pipeline = config_pipeline(drop=('ApplyToEachDate', ), crop_size=(64, 64))
    for seed in range(8):
        random.seed(seed)
        np.random.seed(seed)
        out = pipeline(copy.deepcopy(results))
        img = out['inputs'].numpy()
        np.testing.assert_array_equal(img[:3], img[3:])
        mask_a, _, label = masks(out, threshold=127)
        kernel = np.ones((5, 5), np.uint8)
        edges = cv2.dilate(mask_a.astype(np.uint8), kernel) - cv2.erode(
            mask_a.astype(np.uint8), kernel)
        assert not ((mask_a != label) & (edges == 0)).any()


def test_photometric_transforms_are_independent_per_date(tmp_path):
    rng = np.random.default_rng(0)
    img = rng.integers(30, 220, (32, 32, 3), dtype=np.uint8)
    results = dict(img=img.copy(), img2=img.copy(), img_shape=(32, 32))
    transform = Compose([dict(type='ApplyToEachDate', transforms=[
        dict(type='PhotoMetricDistortion', brightness_delta=40)])])
    np.random.seed(3)
    differ = [not np.array_equal(out['img'], out['img2'])
              for out in (transform(dict(results, img=img.copy(), img2=img.copy()))
                          for _ in range(5))]
    assert all(differ)


def test_apply_to_each_date_rejects_geometric_transforms():
    results = dict(img=np.zeros((32, 32, 3), np.uint8), img2=np.zeros((32, 32, 3), np.uint8))
    transform = Compose([dict(type='ApplyToEachDate',
                              transforms=[dict(type='Resize', scale=(16, 16))])])
    with pytest.raises(ValueError, match='changed the size of img .* after ConcatCDInput'):
        transform(results)


def test_mismatched_date_sizes_name_both_files(tmp_path):
    write_pair(str(tmp_path), 'x', np.zeros((32, 32, 3), np.uint8),
               np.zeros((32, 40, 3), np.uint8), np.zeros((32, 32), np.uint8))
    load = Compose([dict(type='LoadImagePairFromFile')])
    a, b = str(tmp_path / 'A/x.png'), str(tmp_path / 'B/x.png')
    with pytest.raises(ValueError) as err:
        load(dict(img_path=a, img_path2=b))
    assert f'{a} is 32x32 px with 3 bands, {b} is 32x40 px with 3 bands' in str(err.value)


def test_label_of_other_size_names_label_and_image(tmp_path):
    write_pair(str(tmp_path), 'x', np.zeros((32, 32, 3), np.uint8),
               np.zeros((32, 32, 3), np.uint8), np.zeros((16, 32), np.uint8))
    load = Compose([dict(type='LoadImagePairFromFile'), dict(type='LoadChangeLabel')])
    with pytest.raises(ValueError) as err:
        load(dict(img_path=str(tmp_path / 'A/x.png'), img_path2=str(tmp_path / 'B/x.png'),
                  seg_map_path=str(tmp_path / 'label/x.png'), reduce_zero_label=False,
                  seg_fields=[]))
    assert (f"change label {tmp_path / 'label/x.png'} is 16x32 px but its image "
            f"{tmp_path / 'A/x.png'} is 32x32 px") in str(err.value)


@pytest.mark.parametrize('values, suffix', [((0, 255), '.png'), ((0, 1), '.png'),
                                            ((0, 255), '.jpg')])
def test_change_label_is_binarised(tmp_path, values, suffix):
    label = np.zeros((32, 32), np.uint8)
    label[8:24, 4:20] = values[1]
    cv2.imwrite(str(tmp_path / f'l{suffix}'), label)
    out = Compose([dict(type='LoadChangeLabel')])(dict(
        seg_map_path=str(tmp_path / f'l{suffix}'), reduce_zero_label=False, seg_fields=[]))
    expected = (label > 0).astype(np.uint8)
    if suffix == '.jpg':  # JPEG rings at the edges: only the interior is exactly known
        inner = cv2.erode(expected, np.ones((5, 5))) | (1 - cv2.dilate(expected, np.ones((5, 5))))
        np.testing.assert_array_equal(out['gt_seg_map'][inner > 0], expected[inner > 0])
    else:
        np.testing.assert_array_equal(out['gt_seg_map'], expected)
    assert set(np.unique(out['gt_seg_map'])) <= {0, 1}
