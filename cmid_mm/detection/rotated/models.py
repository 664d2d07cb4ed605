"""Oriented R-CNN (Xie et al., ICCV 2021) on mmdet 3.3's two-stage detector.

The detector is mmdet's ``TwoStageDetector`` with mmdet's ``StandardRoIHead``, ``MaxIoUAssigner``
and ``RandomSampler``; boxes after the RPN are ``le90`` rotated boxes ``(N, 5)`` (see
:mod:`.boxes`). What is rotated lives here:

* :class:`OrientedRPNHead`: mmdet's ``RPNHead`` regressing 6 midpoint-offset deltas per anchor
  (the coder's ``encode_size``); proposals are deduplicated by NMS on their enclosing horizontal
  boxes, as the paper's implementation;
* :class:`RBboxOverlaps2D`: rotated IoU for the RoI assigner; :class:`RBboxHBoxOverlaps2D`:
  horizontal IoU between anchors and the gts' enclosing boxes for the RPN assigner;
* :class:`RotatedSingleRoIExtractor`: mmcv's ``RoIAlignRotated`` on the FPN level chosen by the
  rotated RoI's area;
* :class:`RotatedShared2FCBBoxHead`: mmdet's shared-2fc head with the 5-delta coder and rotated
  NMS at test time.
"""
import math
from typing import List, Optional

import torch
from mmdet.models.dense_heads import RPNHead
from mmdet.models.roi_heads.bbox_heads import Shared2FCBBoxHead
from mmdet.models.roi_heads.roi_extractors import SingleRoIExtractor
from mmdet.registry import MODELS, TASK_UTILS
from mmdet.structures.bbox import bbox_overlaps
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData
from mmcv.ops import batched_nms
from torch import Tensor

from .boxes import multiclass_rotated_nms, rbox_iou, rboxes_to_hboxes


def _rescale_rboxes_(boxes: Tensor, scale_factor) -> Tensor:
    """Undo a resize by ``scale_factor`` ``(sx, sy)`` (exact when ``sx == sy``; otherwise
    sizes are divided by the geometric mean)."""
    sx, sy = float(scale_factor[0]), float(scale_factor[1])
    boxes = boxes.clone()
    boxes[:, 0] /= sx
    boxes[:, 1] /= sy
    boxes[:, 2:4] /= math.sqrt(sx * sy)
    return boxes


@TASK_UTILS.register_module()
class RBboxOverlaps2D:
    """IoU / IoF of rotated boxes ``(N, 5)`` x ``(M, 5)`` (a 6th score column is ignored) on
    mmcv's ``box_iou_rotated``."""

    def __call__(self, bboxes1: Tensor, bboxes2: Tensor, mode: str = 'iou',
                 is_aligned: bool = False) -> Tensor:
        return rbox_iou(bboxes1[..., :5], bboxes2[..., :5], mode=mode, aligned=is_aligned)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'


@TASK_UTILS.register_module()
class RBboxHBoxOverlaps2D:
    """Horizontal IoU where rotated boxes (5 columns) stand for their enclosing axis-aligned box
    and 4-column boxes are ``x1 y1 x2 y2``: the oriented RPN's anchor assignment."""

    @staticmethod
    def _hbox(boxes: Tensor) -> Tensor:
        return rboxes_to_hboxes(boxes[..., :5]) if boxes.size(-1) == 5 else boxes[..., :4]

    def __call__(self, bboxes1: Tensor, bboxes2: Tensor, mode: str = 'iou',
                 is_aligned: bool = False) -> Tensor:
        return bbox_overlaps(self._hbox(bboxes1), self._hbox(bboxes2), mode, is_aligned)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'


@MODELS.register_module()
class OrientedRPNHead(RPNHead):
    """Oriented RPN: mmdet's ``RPNHead`` with ``MidpointOffsetCoder`` (6 deltas per anchor).

    Training targets come from mmdet's anchor head unchanged (assign with
    ``RBboxHBoxOverlaps2D``, encode with the coder). ``test_cfg.nms`` runs on the proposals'
    enclosing horizontal boxes; ``min_bbox_size`` bounds the rotated ``w`` and ``h``.
    """

    def _bbox_post_process(self, results: InstanceData, cfg: ConfigDict,
                           rescale: bool = False, with_nms: bool = True,
                           img_meta: Optional[dict] = None) -> InstanceData:
        assert with_nms, '`with_nms` must be True in OrientedRPNHead'
        if rescale:
            results.bboxes = _rescale_rboxes_(results.bboxes, img_meta['scale_factor'])
        if cfg.get('min_bbox_size', -1) >= 0:
            valid = (results.bboxes[:, 2] > cfg.min_bbox_size) & \
                (results.bboxes[:, 3] > cfg.min_bbox_size)
            if not valid.all():
                results = results[valid]
        out = InstanceData()
        if len(results) == 0:
            out.bboxes = results.bboxes.new_zeros((0, 5))
            out.scores = results.scores.new_zeros(0)
            out.labels = results.scores.new_zeros(0, dtype=torch.long)
            return out
        dets, keep = batched_nms(rboxes_to_hboxes(results.bboxes), results.scores,
                                 results.level_ids, cfg.nms)
        out.bboxes = results.bboxes[keep][:cfg.max_per_img]
        out.scores = dets[:cfg.max_per_img, -1]
        out.labels = out.scores.new_zeros(len(out.scores), dtype=torch.long)
        return out


@MODELS.register_module()
class RotatedSingleRoIExtractor(SingleRoIExtractor):
    """mmdet's single-level extractor for rotated RoIs ``(batch_idx, cx, cy, w, h, angle)``:
    the level is chosen from ``sqrt(w * h)`` (the FPN paper's rule, as mmdet's), the features
    pooled by ``roi_layer=dict(type='RoIAlignRotated', ..., clockwise=True)`` (the ``le90``
    angle sense)."""

    def map_roi_levels(self, rois: Tensor, num_levels: int) -> Tensor:
        scale = torch.sqrt(rois[:, 3] * rois[:, 4])
        target_lvls = torch.floor(torch.log2(scale / self.finest_scale + 1e-6))
        return target_lvls.clamp(min=0, max=num_levels - 1).long()


@MODELS.register_module()
class RotatedShared2FCBBoxHead(Shared2FCBBoxHead):
    """mmdet's shared-2fc box head regressing rotated boxes from rotated RoIs.

    Use ``bbox_coder=dict(type='DeltaXYWHTRBoxCoder')`` (5 deltas) and
    ``test_cfg.rcnn.nms=dict(type='nms_rotated', iou_threshold=0.1)``: per-class rotated NMS
    by :func:`.boxes.multiclass_rotated_nms`.
    """

    def _predict_by_feat_single(self, roi: Tensor, cls_score: Tensor, bbox_pred: Tensor,
                                img_meta: dict, rescale: bool = False,
                                rcnn_test_cfg: Optional[ConfigDict] = None) -> InstanceData:
        results = InstanceData()
        if roi.shape[0] == 0:
            results.bboxes = roi.new_zeros((0, 5))
            results.scores = roi.new_zeros((0, ))
            results.labels = roi.new_zeros((0, ), dtype=torch.long)
            return results
        # decoded boxes and class scores from mmdet's head; the NMS is ours (mmcv's
        # nms_rotated mis-suppresses boxes with nearly coincident edges, see rbox_iou)
        raw = super()._predict_by_feat_single(roi, cls_score, bbox_pred, img_meta,
                                              rescale=False, rcnn_test_cfg=None)
        if rcnn_test_cfg is None:
            return raw
        nms = rcnn_test_cfg.nms
        if nms.get('type') != 'nms_rotated':
            raise ValueError(f"RotatedShared2FCBBoxHead: test_cfg.rcnn.nms must be "
                             f"dict(type='nms_rotated', iou_threshold=...), got {dict(nms)}")
        dets, labels = multiclass_rotated_nms(raw.bboxes, raw.scores, rcnn_test_cfg.score_thr,
                                              nms.iou_threshold, rcnn_test_cfg.max_per_img)
        results.bboxes, results.scores, results.labels = dets[:, :5], dets[:, 5], labels
        if rescale and len(results.bboxes):
            results.bboxes = _rescale_rboxes_(results.bboxes, img_meta['scale_factor'])
        return results


__all__: List[str] = ['RBboxOverlaps2D', 'RBboxHBoxOverlaps2D', 'OrientedRPNHead',
                      'RotatedSingleRoIExtractor', 'RotatedShared2FCBBoxHead']
