"""Bitemporal change-detection datasets (mmseg's ``BaseCDDataset`` plus checks on every pair).

mmseg's ``BaseCDDataset`` lists date-A images and derives the date-B image and the label by name
but never checks they exist, so a missing file surfaced mid-training as a bare decode error. These
subclasses check every pair up front and name both files when one is missing.
"""
import os.path as osp

from mmseg.datasets import BaseCDDataset
from mmseg.registry import DATASETS

CHANGE_METAINFO = dict(classes=('unchanged', 'changed'), palette=[[0, 0, 0], [255, 255, 255]])


@DATASETS.register_module()
class BitemporalDataset(BaseCDDataset):
    """Generic "two image folders + one mask folder" change-detection dataset.

    ``data_prefix`` names the date-A folder (``img_path``), the date-B folder (``img_path2``) and
    the change-mask folder (``seg_map_path``); files are matched by name (date B must share date
    A's suffix; the mask's is ``seg_map_suffix``). An ``ann_file`` listing names restricts it to a
    split, as in mmseg. Labels: 0 = unchanged, 1 = changed (see ``LoadChangeLabel``).

    Raises:
        FileNotFoundError: If a folder is missing, it holds no image, or a pair lacks its date-B
            image or its label (naming the file looked for and the image it belongs to).
    """
    METAINFO = CHANGE_METAINFO

    def __init__(self,
                 img_suffix='.png',
                 seg_map_suffix='.png',
                 data_prefix=dict(img_path='A', img_path2='B', seg_map_path='label'),
                 **kwargs):
        super().__init__(img_suffix=img_suffix, img_suffix2=img_suffix,
                         seg_map_suffix=seg_map_suffix, data_prefix=data_prefix, **kwargs)

    def load_data_list(self):
        for key, what in (('img_path', 'date-A image'), ('img_path2', 'date-B image'),
                          ('seg_map_path', 'change label')):
            folder = self.data_prefix.get(key)
            if folder is None or not osp.isdir(folder):
                raise FileNotFoundError(f'{what} folder not found: {folder} '
                                        f'(data_prefix.{key} of {type(self).__name__})')
        data_list = super().load_data_list()
        if not data_list:
            raise FileNotFoundError(f"no *{self.img_suffix} image in {self.data_prefix['img_path']}"
                                    + (f' listed by {self.ann_file}' if self.ann_file else ''))
        for info in data_list:
            if not osp.isfile(info['img_path']):  # only possible with an ann_file
                raise FileNotFoundError(f"date-A image {info['img_path']} (listed in "
                                        f'{self.ann_file}) not found')
            if not osp.isfile(info['img_path2']):
                raise FileNotFoundError(f"date-B image {info['img_path2']} not found for date-A "
                                        f"image {info['img_path']}")
            if not osp.isfile(info['seg_map_path']):
                raise FileNotFoundError(f"change label {info['seg_map_path']} not found for the "
                                        f"image pair {info['img_path']} and {info['img_path2']}")
        return data_list


@DATASETS.register_module()
class LEVIRCDBitemporalDataset(BitemporalDataset):
    """LEVIR-CD (Chen & Shi 2020): ``<split>/A``, ``<split>/B``, ``<split>/label``; 0/255 PNGs.

    ``split`` is ``'train'``, ``'val'`` or ``'test'`` (the original 1024x1024 release). BIT's pre-cut
    LEVIR-CD-256 (``A/``, ``B/``, ``label/`` and ``list/<split>.txt``) is read by
    :class:`BitemporalDataset` with ``ann_file='list/<split>.txt'``.
    """

    def __init__(self, split='train', **kwargs):
        kwargs.setdefault('data_prefix', dict(img_path=f'{split}/A', img_path2=f'{split}/B',
                                              seg_map_path=f'{split}/label'))
        super().__init__(**kwargs)


@DATASETS.register_module()
class CDDBitemporalDataset(BitemporalDataset):
    """CDD season-varying set (Lebedev et al. 2018, ``Real/subset``): ``<split>/A``, ``<split>/B``,
    ``<split>/OUT``, 256x256 JPEG images and JPEG masks (10000 / 3000 / 3000 pairs).
    """

    def __init__(self, split='train', img_suffix='.jpg', seg_map_suffix='.jpg', **kwargs):
        kwargs.setdefault('data_prefix', dict(img_path=f'{split}/A', img_path2=f'{split}/B',
                                              seg_map_path=f'{split}/OUT'))
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)
