"""ChangeDetectionMetric against a hand count of TP / FP / FN / TN."""
import math

import numpy as np
import torch
from mmseg.registry import METRICS
from mmseg.structures import SegDataSample
from mmengine.structures import PixelData


def sample(pred, gt):
    s = SegDataSample()
    s.pred_sem_seg = PixelData(data=torch.tensor(pred)[None])
    s.gt_sem_seg = PixelData(data=torch.tensor(gt)[None])
    return s.to_dict()


def evaluate(pairs, **kwargs):
    metric = METRICS.build(dict(type='ChangeDetectionMetric', **kwargs))
    metric.dataset_meta = dict(classes=('unchanged', 'changed'))
    metric.process({}, [sample(p, g) for p, g in pairs])
    return metric.evaluate(len(pairs))


def test_scores_equal_a_hand_count():
    gt = [[0, 0, 1, 1],
          [0, 0, 1, 1],
          [0, 0, 0, 0]]
    pred = [[0, 1, 1, 1],
            [0, 0, 0, 1],
            [1, 0, 0, 0]]
    gt2 = [[1, 255], [0, 0]]  # 255: ignored pixel
    pred2 = [[1, 1], [1, 0]]
    # TP: 3 + 1, FP: 2 + 1, FN: 1 + 0, TN: 6 + 1 (the ignored pixel counts nowhere)
    tp, fp, fn, tn = 4, 3, 1, 7
    m = evaluate([(pred, gt), (pred2, gt2)])
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    expected = dict(precision=precision, recall=recall,
                    F1=2 * precision * recall / (precision + recall),
                    IoU=tp / (tp + fp + fn), OA=(tp + tn) / (tp + fp + fn + tn),
                    mIoU=(tp / (tp + fp + fn) + tn / (tn + fp + fn)) / 2)
    assert set(m) == set(expected)
    for key, value in expected.items():
        assert m[key] == round(100 * value, 2), key


def test_f1_is_zero_not_nan_without_predicted_change():
    gt = [[0, 1], [1, 0]]
    m = evaluate([([[0, 0], [0, 0]], gt)])
    assert math.isnan(m['precision'])
    assert m['recall'] == 0 and m['F1'] == 0 and m['IoU'] == 0 and m['OA'] == 50


def test_change_index_selects_the_class():
    gt = np.array([[0, 1], [1, 1]])
    pred = np.array([[0, 1], [0, 0]])
    m = evaluate([(pred, gt)], change_index=0)  # scores of class 0 (TP 1, FP 2, FN 0)
    assert m['precision'] == round(100 / 3, 2) and m['recall'] == 100 and m['IoU'] == round(
        100 / 3, 2)
