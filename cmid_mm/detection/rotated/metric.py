"""DOTA-style mAP of rotated boxes (registered in mmdet's METRICS), and DOTA submission files.

The evaluation follows the DOTA devkit (``dota_evaluation_task1.py``): per class, detections of
all images sorted by score; one is a true positive when its best rotated IoU with a gt of its
class in its image reaches the threshold and that gt is not yet matched; matching a difficult gt
counts neither way; recall is over the non-difficult gts. AP is VOC07's 11-point or the area
under the monotone precision envelope. mAP averages over classes with at least one
non-difficult gt.
"""
import os
import os.path as osp
from collections import OrderedDict, defaultdict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmdet.registry import METRICS

from .boxes import rbox_iou, rboxes_to_polys
from .split import merge_rotated_patch_detections


def average_precision(recall: np.ndarray, precision: np.ndarray, mode: str = 'area') -> float:
    """AP of a precision-recall curve: ``'11points'`` (VOC07) or ``'area'``."""
    if mode == '11points':
        return float(np.mean([precision[recall >= t].max() if (recall >= t).any() else 0.
                              for t in np.linspace(0, 1, 11)]))
    if mode != 'area':
        raise ValueError(f"eval_mode must be '11points' or 'area', got {mode!r}")
    mrec = np.concatenate([[0.], recall, [1.]])
    mpre = np.concatenate([[0.], precision, [0.]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    changed = np.flatnonzero(mrec[1:] != mrec[:-1])
    return float(np.sum((mrec[changed + 1] - mrec[changed]) * mpre[changed + 1]))


def eval_rotated_map(dets: Sequence[Tuple[np.ndarray, np.ndarray, np.ndarray]],
                     gts: Sequence[Tuple[np.ndarray, np.ndarray, np.ndarray]], num_classes: int,
                     iou_thr: float = 0.5, mode: str = 'area') -> Tuple[float, List[float]]:
    """mAP over images.

    Args:
        dets: per image ``(bboxes (N, 5), scores (N,), labels (N,))``.
        gts: per image ``(bboxes (M, 5), labels (M,), difficult (M,) bool)``.

    Returns:
        tuple: mAP and the per-class APs (``nan`` for a class without non-difficult gt).
    """
    aps = []
    for cls in range(num_classes):
        records, num_pos = [], 0
        matched, difficult, ious = [], [], []
        for img, ((d_boxes, d_scores, d_labels), (g_boxes, g_labels, g_diff)) in enumerate(
                zip(dets, gts)):
            d_sel, g_sel = d_labels == cls, g_labels == cls
            gb = torch.as_tensor(np.asarray(g_boxes, np.float32).reshape(-1, 5)[g_sel])
            db = torch.as_tensor(np.asarray(d_boxes, np.float32).reshape(-1, 5)[d_sel])
            ious.append(rbox_iou(db, gb).numpy())
            difficult.append(np.asarray(g_diff, bool)[g_sel])
            matched.append(np.zeros(int(g_sel.sum()), bool))
            num_pos += int((~difficult[-1]).sum())
            records += [(float(s), img, k) for k, s in enumerate(np.asarray(d_scores)[d_sel])]
        if num_pos == 0:
            aps.append(float('nan'))
            continue
        records.sort(key=lambda r: -r[0])  # stable: ties keep image order
        tp = np.zeros(len(records))
        fp = np.zeros(len(records))
        for i, (_, img, k) in enumerate(records):
            ov = ious[img][k]
            if ov.size == 0 or ov.max() < iou_thr:
                fp[i] = 1
                continue
            j = int(ov.argmax())
            if difficult[img][j]:
                continue
            if matched[img][j]:
                fp[i] = 1
            else:
                tp[i] = matched[img][j] = 1
        tp, fp = np.cumsum(tp), np.cumsum(fp)
        recall = tp / num_pos
        precision = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
        aps.append(average_precision(recall, precision, mode))
    valid = [a for a in aps if not np.isnan(a)]
    return (float(np.mean(valid)) if valid else 0.), aps


def write_dota_task1(outfile_prefix: str, classes: Sequence[str],
                     detections: Dict[str, Tuple[np.ndarray, np.ndarray, np.ndarray]]) -> List[str]:
    """DOTA Task1 (oriented) submission: ``<prefix>/Task1_<class>.txt`` with lines
    ``<image> <score> x1 y1 x2 y2 x3 y3 x4 y4``; every class gets a file."""
    os.makedirs(outfile_prefix, exist_ok=True)
    lines = defaultdict(list)
    for name, (bboxes, scores, labels) in sorted(detections.items()):
        polys = rboxes_to_polys(np.asarray(bboxes, np.float32).reshape(-1, 5))
        for poly, score, label in zip(polys, scores, labels):
            coords = ' '.join(f'{v:.2f}' for v in poly)
            lines[int(label)].append(f'{name} {float(score):.4f} {coords}\n')
    paths = []
    for i, cls in enumerate(classes):
        path = osp.join(outfile_prefix, f'Task1_{cls}.txt')
        with open(path, 'w') as f:
            f.writelines(lines[i])
        paths.append(path)
    return paths


@METRICS.register_module()
class DOTAMetric(BaseMetric):
    """mAP of rotated boxes (``pred_instances.bboxes`` and ``gt_instances.bboxes`` ``(N, 5)``;
    ``ignored_instances`` are the difficult gts).

    Args:
        iou_thrs (float | list[float]): IoU thresholds; ``mAP`` is their mean, ``AP50`` etc.
            are reported too. Defaults to 0.5 (DOTA's).
        eval_mode (str): ``'11points'`` (VOC07, the DOTA devkit's) or ``'area'``.
        format_only (bool): Only write the DOTA Task1 submission to ``outfile_prefix`` (for the
            unlabelled test split) and report nothing.
        outfile_prefix (str, optional): Folder of the ``Task1_<class>.txt`` files; also written
            after evaluation when given.
        merge_patches (bool): Detections of patches named ``<scene>__<rate>__<x>___<y>``
            (:mod:`cmid_mm.detection.dota_split`) are mapped to their scene and deduplicated by
            rotated NMS (``merge_iou_thr``) before writing. Evaluation is always per patch.
    """
    default_prefix = 'dota'

    def __init__(self, iou_thrs: Union[float, Sequence[float]] = 0.5,
                 eval_mode: str = '11points', format_only: bool = False,
                 outfile_prefix: Optional[str] = None, merge_patches: bool = False,
                 merge_iou_thr: float = 0.1, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.iou_thrs = [iou_thrs] if isinstance(iou_thrs, float) else list(iou_thrs)
        if eval_mode not in ('11points', 'area'):
            raise ValueError(f"eval_mode must be '11points' or 'area', got {eval_mode!r}")
        if format_only and not outfile_prefix:
            raise ValueError('DOTAMetric: format_only=True needs outfile_prefix (the folder of '
                             'the Task1_<class>.txt files)')
        self.eval_mode = eval_mode
        self.format_only = format_only
        self.outfile_prefix = outfile_prefix
        self.merge_patches = merge_patches
        self.merge_iou_thr = merge_iou_thr

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred = sample['pred_instances']
            det = (pred['bboxes'].cpu().numpy().reshape(-1, 5), pred['scores'].cpu().numpy(),
                   pred['labels'].cpu().numpy())
            gt = None
            if not self.format_only:
                gt_i, ign = sample['gt_instances'], sample.get('ignored_instances', {})
                boxes = [gt_i['bboxes'].cpu().numpy().reshape(-1, 5)]
                labels = [gt_i['labels'].cpu().numpy()]
                if 'bboxes' in ign:
                    boxes.append(ign['bboxes'].cpu().numpy().reshape(-1, 5))
                    labels.append(ign['labels'].cpu().numpy())
                difficult = np.concatenate([np.zeros(len(labels[0]), bool),
                                            np.ones(len(boxes[1]) if len(boxes) > 1 else 0,
                                                    bool)])
                gt = (np.concatenate(boxes), np.concatenate(labels), difficult)
            self.results.append((str(sample.get('img_id', len(self.results))), det, gt))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        logger = MMLogger.get_current_instance()
        classes = self.dataset_meta['classes']
        if self.outfile_prefix:
            dets = {name: det for name, det, _ in results}
            if self.merge_patches:
                dets = merge_rotated_patch_detections(dets, self.merge_iou_thr)
            write_dota_task1(self.outfile_prefix, classes, dets)
            logger.info(f'DOTA Task1 files written to {self.outfile_prefix}')
        if self.format_only:
            return {}
        metrics = OrderedDict()
        maps = []
        for thr in self.iou_thrs:
            mean_ap, aps = eval_rotated_map([r[1] for r in results], [r[2] for r in results],
                                            len(classes), thr, self.eval_mode)
            maps.append(mean_ap)
            metrics[f'AP{int(round(thr * 100))}'] = mean_ap
            logger.info(f'rotated AP@{thr}: ' + ', '.join(
                f'{c}={a:.4f}' for c, a in zip(classes, aps) if not np.isnan(a)))
        metrics['mAP'] = float(np.mean(maps))
        return metrics
