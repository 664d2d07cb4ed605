"""Change-detection scores: precision, recall, F1 and IoU of the change class, overall accuracy."""
from collections import OrderedDict

import numpy as np
from mmengine.logging import MMLogger, print_log
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS


@METRICS.register_module()
class ChangeDetectionMetric(IoUMetric):
    """mmseg's ``IoUMetric`` reporting the change class's scores instead of class means.

    ``IoUMetric`` accumulates the per-class confusion areas and computes per-class IoU, precision,
    recall and F-score, but only returns their means over classes (which blend in the dominant
    "unchanged" class). This returns, in percent like mmseg: ``precision``, ``recall``, ``F1``,
    ``IoU`` of class ``change_index`` and ``OA`` (overall pixel accuracy), plus mmseg's ``mIoU``.
    F1 is taken as mmseg's per-class Dice, 2TP / (2TP + FP + FN), the same number as the harmonic
    mean of precision and recall but 0 rather than NaN when no pixel is predicted as change. A
    precision or recall whose denominator is empty is NaN (or ``nan_to_num``).
    """

    def __init__(self, change_index: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.change_index = change_index

    def compute_metrics(self, results: list) -> dict:
        if self.format_only:
            return super().compute_metrics(results)
        intersect, union, pred_area, label_area = (sum(r) for r in zip(*results))
        per_class = self.total_area_to_metrics(intersect, union, pred_area, label_area,
                                               ['mIoU', 'mDice', 'mFscore'], self.nan_to_num,
                                               self.beta)
        c = self.change_index
        metrics = OrderedDict(
            precision=per_class['Precision'][c], recall=per_class['Recall'][c],
            F1=per_class['Dice'][c], IoU=per_class['IoU'][c], OA=per_class['aAcc'],
            mIoU=np.nanmean(per_class['IoU']))
        metrics = OrderedDict((k, float(np.round(v * 100, 2))) for k, v in metrics.items())
        name = self.dataset_meta['classes'][c] if self.dataset_meta else c
        print_log(f'change class ({name}): ' + ', '.join(f'{k} {v:.2f}'
                                                          for k, v in metrics.items()),
                  logger=MMLogger.get_current_instance())
        return metrics
