"""Demo steps that use library pieces: precise-BN re-estimation (mmpretrain) in demo_report and
the whole-scene map score (mmseg's IoUMetric) in demo_multispectral."""
import cv2
import numpy as np
import pytest
import torch
from mmpretrain.models.backbones import ResNet

import demo_multispectral
import demo_report

from ..fakes.rasters import write_raster


def test_reestimate_bn_sets_the_mean_of_the_batch_statistics(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(4):
        cv2.imwrite(str(tmp_path / f'{i}.png'), rng.integers(0, 255, (40, 40, 3), np.uint8))
    backbone = ResNet(depth=18)
    preprocessor = demo_report.normalizer_from(dict(mean=[120.] * 3, std=[60.] * 3))
    seen = []
    handle = backbone.conv1.register_forward_hook(lambda m, a, out: seen.append(out.detach()))
    demo_report.reestimate_bn(backbone, preprocessor, str(tmp_path / '*.png'), 32, batch=2)
    handle.remove()
    assert len(seen) == 2 and not backbone.training
    expected = torch.stack([x.mean(dim=(0, 2, 3)) for x in seen]).mean(0)
    torch.testing.assert_close(backbone.bn1.running_mean, expected, rtol=1e-4, atol=1e-5)


def test_score_map_counts_only_labelled_val_pixels(tmp_path):
    pred = np.array([[0, 0, 1, 1], [0, 2, 2, 1]], np.uint8)
    gt = np.array([[0, 1, 1, 255], [0, 2, 0, 0]], np.uint8)
    val = np.array([[1, 1, 1, 1], [1, 1, 1, 0]], np.uint8)  # the last pixel is not in a val block
    paths = [write_raster(tmp_path / f'{n}.tif', a[None]) for n, a in
             (('map', pred), ('labels', gt), ('val', val))]
    acc, miou = demo_multispectral.score_map(*paths)
    # scored pixels (gt, pred): (0,0) (1,0) (1,1) (0,0) (2,2) (0,2): 4 of 6 right
    # IoU: class 0 2/4, class 1 1/2, class 2 1/2
    assert acc == pytest.approx(4 / 6)
    assert miou == pytest.approx((2 / 4 + 1 / 2 + 1 / 2) / 3)
