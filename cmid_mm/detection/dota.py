"""DOTA v1.0 with horizontal boxes: the label format and an mmdet dataset over it.

A DOTA label file (``labelTxt/<image>.txt``) has optional header lines (``imagesource:...``,
``gsd:...``) and one object per line: ``x1 y1 x2 y2 x3 y3 x4 y4 class difficult``. The dataset
turns every polygon into its enclosing axis-aligned box (oriented boxes are out of scope here).
mmdet ships no DOTA dataset (mmrotate's needs its own registry and rotated boxes).
"""
import os.path as osp
from typing import List, Sequence, Tuple

import numpy as np
from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from mmengine.fileio import exists, get_local_path, list_dir_or_file
from PIL import Image

DOTA_V1_CLASSES = ('plane', 'baseball-diamond', 'bridge', 'ground-track-field', 'small-vehicle',
                   'large-vehicle', 'ship', 'tennis-court', 'basketball-court', 'storage-tank',
                   'soccer-ball-field', 'roundabout', 'harbor', 'swimming-pool', 'helicopter')


def load_dota_labels(path: str) -> Tuple[np.ndarray, List[str], np.ndarray]:
    """Read a DOTA label file.

    Returns:
        tuple: polygons ``(N, 8)`` float32 ``x1 y1 ... x4 y4``, class names (N), difficult flags
        ``(N,)`` int64 (0 when the column is absent).

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: A line is neither a header nor an object line (names file and line).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'DOTA label file not found: {path}')
    polys, names, difficult = [], [], []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            tokens = line.split()
            if not tokens or (len(tokens) == 1 and ':' in tokens[0]):
                continue  # blank line or an 'imagesource:' / 'gsd:' header
            try:
                if len(tokens) not in (9, 10):
                    raise ValueError
                coords = [float(t) for t in tokens[:8]]
                flag = int(tokens[9]) if len(tokens) == 10 else 0
            except ValueError:
                raise ValueError(f'{path}:{lineno}: expected "x1 y1 x2 y2 x3 y3 x4 y4 class '
                                 f'[difficult]", got {line.strip()!r}') from None
            polys.append(coords)
            names.append(tokens[8])
            difficult.append(flag)
    return (np.asarray(polys, np.float32).reshape(-1, 8), names,
            np.asarray(difficult, np.int64))


def dump_dota_labels(path: str, polys: np.ndarray, names: Sequence[str],
                     difficult: Sequence[int]) -> None:
    """Write objects in DOTA's label format (no header)."""
    with open(path, 'w') as f:
        for poly, name, flag in zip(polys, names, difficult):
            coords = ' '.join(f'{v:.1f}' for v in poly)
            f.write(f'{coords} {name} {int(flag)}\n')


def polygons_to_hboxes(polys: np.ndarray) -> np.ndarray:
    """``(N, 8)`` polygons -> ``(N, 4)`` enclosing boxes ``x1 y1 x2 y2``."""
    xy = polys.reshape(-1, 4, 2)
    return np.concatenate([xy.min(axis=1), xy.max(axis=1)], axis=1)


@DATASETS.register_module()
class DOTAHBBDataset(BaseDetDataset):
    """DOTA in its published layout, with horizontal boxes (registered in mmdet).

    ::

        data_root/train/images/P0000.png      # also the layout dota_split.py writes
        data_root/train/labelTxt/P0000.txt

    Args:
        ann_file (str): The label folder (``'train/labelTxt/'``). Empty for unlabelled images
            (DOTA's test split): every image in ``data_prefix['img_path']`` is listed.
        data_prefix (dict): ``img_path``: the image folder (``'train/images/'``).
        img_suffix (str): Image extension. Defaults to ``'png'`` (DOTA's).

    Objects flagged difficult get ``ignore_flag=1`` (not trained on, not counted by VOCMetric,
    like the DOTA devkit's evaluation). With ``filter_cfg=dict(filter_empty_gt=True)`` images
    without a non-difficult object are dropped in training (most split patches are empty).
    """

    METAINFO = dict(classes=DOTA_V1_CLASSES)

    def __init__(self, img_suffix: str = 'png', **kwargs):
        self.img_suffix = img_suffix
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        img_dir = self.data_prefix.get('img_path', '')
        if not exists(img_dir, backend_args=self.backend_args):
            raise FileNotFoundError(f'DOTA image folder not found: {img_dir}')
        if self.ann_file:
            if not exists(self.ann_file, backend_args=self.backend_args):
                raise FileNotFoundError(f'DOTA label folder not found: {self.ann_file}')
            ids = self._stems(self.ann_file, '.txt')
        else:
            ids = self._stems(img_dir, f'.{self.img_suffix}')
        if not ids:
            raise FileNotFoundError(f'DOTA: no {"label" if self.ann_file else "image"} file in '
                                    f'{self.ann_file or img_dir}')
        cat2label = {c: i for i, c in enumerate(self.metainfo['classes'])}
        data_list = []
        for img_id in ids:
            img_path = osp.join(img_dir, f'{img_id}.{self.img_suffix}')
            if not exists(img_path, backend_args=self.backend_args):
                raise FileNotFoundError(f'DOTA image for {img_id!r} not found: {img_path}')
            with get_local_path(img_path, backend_args=self.backend_args) as local, \
                    Image.open(local) as img:
                width, height = img.size  # from the header: the pixels are not decoded
            instances = []
            if self.ann_file:
                label_path = osp.join(self.ann_file, f'{img_id}.txt')
                with get_local_path(label_path, backend_args=self.backend_args) as local:
                    polys, names, difficult = load_dota_labels(local)
                unknown = sorted(set(names) - set(cat2label))
                if unknown:
                    raise ValueError(f'{label_path}: classes {unknown} are not in the dataset '
                                     f'classes {tuple(cat2label)}; set metainfo=dict(classes=...)')
                for box, name, flag in zip(self.polys_to_boxes(polys), names, difficult):
                    instances.append(dict(bbox=box.tolist(), bbox_label=cat2label[name],
                                          ignore_flag=int(flag > 0)))
            data_list.append(dict(img_id=img_id, img_path=img_path, width=width, height=height,
                                  instances=instances))
        return data_list

    def polys_to_boxes(self, polys: np.ndarray) -> np.ndarray:
        """The instances' ``bbox`` from the label polygons: enclosing ``x1 y1 x2 y2``."""
        return polygons_to_hboxes(polys)

    def _stems(self, folder: str, suffix: str) -> List[str]:
        files = list_dir_or_file(folder, list_dir=False, suffix=suffix,
                                 backend_args=self.backend_args)
        return sorted(f[:-len(suffix)] for f in files)

    def filter_data(self) -> List[dict]:
        if self.test_mode or not (self.filter_cfg or {}).get('filter_empty_gt', False):
            return self.data_list
        return [d for d in self.data_list if any(not i['ignore_flag'] for i in d['instances'])]
