"""DOTA v1.0 and DIOR-R with oriented boxes (registered in mmdet).

Instances carry ``bbox`` as an ``le90`` rotated box ``(cx, cy, w, h, angle)``
(:mod:`cmid_mm.detection.rotated.boxes`): the minimum-area rectangle of the label polygon, as
mmrotate. Load them with ``LoadRotatedAnnotations``.
"""
from typing import List

import numpy as np
from mmdet.registry import DATASETS

from .dior import DIOR_CLASSES, DIORDataset
from .dota import DOTAHBBDataset
from .rotated.boxes import polys_to_rboxes

DIOR_R_POLY_FIELDS = ('x_left_top', 'y_left_top', 'x_right_top', 'y_right_top',
                      'x_right_bottom', 'y_right_bottom', 'x_left_bottom', 'y_left_bottom')


@DATASETS.register_module()
class DOTADataset(DOTAHBBDataset):
    """DOTA v1.0 OBB (15 classes, the published ``labelTxt`` layout of :class:`DOTAHBBDataset`,
    also what ``dota_split`` writes). Difficult objects get ``ignore_flag=1``: not trained on,
    and the difficult gts of ``DOTAMetric``."""

    def polys_to_boxes(self, polys: np.ndarray) -> np.ndarray:
        return polys_to_rboxes(polys)


@DATASETS.register_module()
class DIORRDataset(DIORDataset):
    """DIOR-R (Cheng et al., 2022): DIOR's images and split files with oriented boxes, 20
    classes, XML objects with ``<robndbox>`` corners ``x_left_top ... y_left_bottom``::

        data_root/Annotations/Oriented Bounding Boxes/<id>.xml

    Args: as :class:`DIORDataset`; ``ann_subdir`` defaults to the folder above.
    """

    METAINFO = dict(classes=DIOR_CLASSES)

    def __init__(self, ann_subdir: str = 'Annotations/Oriented Bounding Boxes', **kwargs):
        super().__init__(ann_subdir=ann_subdir, **kwargs)

    def _parse_instance_info(self, raw_ann_info, minus_one: bool = True) -> List[dict]:
        instances = []
        for obj in raw_ann_info.findall('object'):
            spelled = self.dior_class(obj)
            box = obj.find('robndbox')
            if box is None:
                raise ValueError(f'object {spelled!r} has no <robndbox> (a DIOR-R oriented box); '
                                 'horizontal DIOR annotations are read by DIORDataset')
            poly = np.float32([float(box.find(k).text) for k in DIOR_R_POLY_FIELDS])
            difficult = obj.find('difficult')
            instances.append(dict(
                bbox=polys_to_rboxes(poly[None])[0].tolist(),
                bbox_label=self.cat2label[spelled],
                ignore_flag=int(difficult is not None and int(difficult.text) == 1)))
        return instances
