"""Oriented object detection (Oriented R-CNN) on mmcv's rotated ops and mmdet 3.3."""
from .boxes import (batched_rotated_nms, flip_rboxes, hboxes_to_rboxes,
                    multiclass_rotated_nms, normalize_angle, normalize_rboxes, polys_to_rboxes,
                    rbox_iou, rboxes_to_hboxes, rboxes_to_polys, rescale_rboxes,
                    rotate90_rboxes, rotated_nms)
from .coders import DeltaXYWHTRBoxCoder, MidpointOffsetCoder
from .metric import DOTAMetric, eval_rotated_map, write_dota_task1
from .models import (OrientedRPNHead, RBboxHBoxOverlaps2D, RBboxOverlaps2D,
                     RotatedShared2FCBBoxHead, RotatedSingleRoIExtractor)
from .split import (merge_rotated_patch_detections, rotated_objects_in_window,
                    split_scene_rotated)
from .transforms import (LoadRotatedAnnotations, RotatedRandomFlip, RotatedRandomRotate90,
                         RotatedResize)

__all__ = [
    'batched_rotated_nms', 'flip_rboxes', 'hboxes_to_rboxes', 'multiclass_rotated_nms',
    'normalize_angle', 'rotated_nms',
    'normalize_rboxes', 'polys_to_rboxes', 'rbox_iou', 'rboxes_to_hboxes', 'rboxes_to_polys',
    'rescale_rboxes', 'rotate90_rboxes', 'DeltaXYWHTRBoxCoder', 'MidpointOffsetCoder',
    'DOTAMetric', 'eval_rotated_map', 'write_dota_task1', 'OrientedRPNHead',
    'RBboxHBoxOverlaps2D', 'RBboxOverlaps2D', 'RotatedShared2FCBBoxHead',
    'RotatedSingleRoIExtractor', 'merge_rotated_patch_detections', 'rotated_objects_in_window',
    'split_scene_rotated', 'LoadRotatedAnnotations', 'RotatedRandomFlip',
    'RotatedRandomRotate90', 'RotatedResize'
]
