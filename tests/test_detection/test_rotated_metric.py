"""cmid_mm.detection.rotated.metric: DOTA-style mAP equals a hand count; Task1 files."""
import math
import os.path as osp

import numpy as np
import pytest
import torch

from cmid_mm.detection.rotated import DOTAMetric, eval_rotated_map
from cmid_mm.detection.rotated.metric import average_precision

A = [20., 20., 20., 10., 0.3]
B = [60., 60., 30., 10., -1.]
C = [20., 70., 16., 8., math.pi / 4]
FAR = [90., 10., 10., 5., 0.]


def hand_case():
    """Class 0: gts A, B in image 0 (B difficult), C in image 1. Detections by score: A (TP),
    A again (duplicate: FP), B (difficult: ignored), FAR (FP), C (TP).
    Class 1: one gt, no detection."""
    dets = [(np.float32([A, A, B, FAR]), np.float32([.9, .8, .7, .6]), np.int64([0, 0, 0, 0])),
            (np.float32([C]), np.float32([.5]), np.int64([0]))]
    gts = [(np.float32([A, B, FAR]), np.int64([0, 0, 1]), np.array([False, True, False])),
           (np.float32([C]), np.int64([0]), np.array([False]))]
    return dets, gts


def test_map_equals_a_hand_count():
    dets, gts = hand_case()
    # ranked TP/FP (difficult match skipped): TP, FP, FP, TP over 2 positives
    # recall .5 .5 .5 1, precision 1 .5 .33 .5
    _, aps = eval_rotated_map(dets, gts, 2, 0.5, 'area')
    assert aps[0] == pytest.approx(.5 * 1 + .5 * .5)
    assert aps[1] == 0
    mean_ap, aps = eval_rotated_map(dets, gts, 2, 0.5, '11points')
    assert aps[0] == pytest.approx((6 * 1 + 5 * .5) / 11)
    assert mean_ap == pytest.approx(aps[0] / 2)


def test_a_class_without_gt_is_left_out_of_the_mean():
    dets, gts = hand_case()
    gts[0] = (gts[0][0][:2], gts[0][1][:2], gts[0][2][:2])  # drop the class-1 gt
    mean_ap, aps = eval_rotated_map(dets, gts, 2, 0.5, 'area')
    assert math.isnan(aps[1]) and mean_ap == pytest.approx(aps[0])


def test_average_precision_modes():
    rec, prec = np.array([.5, 1.]), np.array([1., .5])
    assert average_precision(rec, prec, 'area') == pytest.approx(.75)
    assert average_precision(rec, prec, '11points') == pytest.approx((6 + 2.5) / 11)


def _samples(dets, gts):
    samples = []
    for i, ((db, ds, dl), (gb, gl, gd)) in enumerate(zip(dets, gts)):
        gd = np.asarray(gd, bool)
        samples.append(dict(
            img_id=f'P{i:04d}__1__0___0',
            pred_instances=dict(bboxes=torch.from_numpy(db), scores=torch.from_numpy(ds),
                                labels=torch.from_numpy(dl)),
            gt_instances=dict(bboxes=torch.from_numpy(gb[~gd]),
                              labels=torch.from_numpy(gl[~gd])),
            ignored_instances=dict(bboxes=torch.from_numpy(gb[gd]),
                                   labels=torch.from_numpy(gl[gd]))))
    return samples


def test_metric_reports_the_hand_count_and_writes_task1(tmp_path):
    dets, gts = hand_case()
    metric = DOTAMetric(eval_mode='area', outfile_prefix=str(tmp_path / 'task1'),
                        merge_patches=True)
    metric.dataset_meta = dict(classes=('plane', 'ship'))
    metric.process({}, _samples(dets, gts))
    result = metric.evaluate(2)
    assert result['dota/mAP'] == pytest.approx(.75 / 2)
    lines = (tmp_path / 'task1' / 'Task1_plane.txt').read_text().splitlines()
    # merged to scenes P0000 / P0001: the duplicate A is removed by rotated NMS
    assert len(lines) == 4 and lines[0].startswith('P0000 0.9000 ')
    assert len(lines[0].split()) == 10
    assert (tmp_path / 'task1' / 'Task1_ship.txt').read_text() == ''


def test_format_only_needs_an_outfile_prefix():
    with pytest.raises(ValueError, match='outfile_prefix'):
        DOTAMetric(format_only=True)


def test_tools_test_writes_the_dota_submission(tmp_path, python):
    """tools/test.py with the DOTA config's test split (unlabelled patches, format_only) writes
    Task1_<class>.txt for every class, merged from patches to scenes."""
    import subprocess

    import cv2
    import torch
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from cmid_mm.detection import DOTA_V1_CLASSES, patch_name
    from ..fakes.rotated import random_scene

    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    config = 'configs/oriented_detection/oriented-rcnn_resnet50-random_fpn_1xb2-1x_dotav1-1024.py'
    images = tmp_path / 'test' / 'images'
    images.mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = [patch_name('P0007', 1.0, 0, 0), patch_name('P0007', 1.0, 64, 0),
             patch_name('P0010', 1.0, 0, 0)]
    for name in names:
        cv2.imwrite(str(images / f'{name}.png'), random_scene(rng, size=128)[0])
    cfg = Config.fromfile(osp.join(repo, config))
    cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    checkpoint = tmp_path / 'random.pth'
    torch.save(dict(state_dict=model.state_dict(), meta={}), checkpoint)
    out = tmp_path / 'task1'
    options = [f'test_dataloader.dataset.data_root={tmp_path}', 'test_dataloader.num_workers=0',
               'test_dataloader.persistent_workers=False',
               'test_dataloader.dataset.pipeline.1.scale=(128,128)',
               f'test_evaluator.outfile_prefix={out}',
               'model.test_cfg.rpn.max_per_img=50']  # an untrained RPN: few RoIs are enough
    proc = subprocess.run([python, 'tools/test.py', config, str(checkpoint), '--work-dir',
                           str(tmp_path / 'work'), '--cfg-options', *options], cwd=repo,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f'Task1_{c}.txt' for c in DOTA_V1_CLASSES)
    lines = [line.split() for f in out.iterdir() for line in f.read_text().splitlines()]
    assert lines, 'a randomly initialised detector scores some boxes above 0.05'
    assert {line[0] for line in lines} <= {'P0007', 'P0010'}
    assert all(len(line) == 10 and 0 < float(line[1]) <= 1 for line in lines)
