"""Remote-sensing detection datasets (registered in mmdet) and DOTA patch split / merge."""
from .dior import DIOR_CLASSES, DIORDataset
from .dota import (DOTA_V1_CLASSES, DOTAHBBDataset, dump_dota_labels, load_dota_labels,
                   polygons_to_hboxes)
from .dota_split import (load_patch_detections, merge_patch_detections, objects_in_window,
                         parse_patch_name, patch_name, split_dota_folder, split_scene,
                         split_scene_file, window_starts, write_dota_task2)
from . import rotated  # noqa: F401  registers the oriented-detection modules in mmdet
from .dota_obb import DIORRDataset, DOTADataset

__all__ = [
    'DIOR_CLASSES', 'DIORDataset', 'DIORRDataset', 'DOTADataset', 'DOTA_V1_CLASSES', 'DOTAHBBDataset', 'dump_dota_labels',
    'load_dota_labels', 'polygons_to_hboxes', 'load_patch_detections', 'merge_patch_detections',
    'objects_in_window', 'parse_patch_name', 'patch_name', 'split_dota_folder', 'split_scene',
    'split_scene_file', 'window_starts', 'write_dota_task2'
]
