"""DIOR (Li et al., ISPRS J. 2020): 23,463 optical RS images, 800x800, 20 classes, VOC-style XML."""
import os.path as osp
from typing import List

from mmdet.datasets import XMLDataset
from mmdet.registry import DATASETS
from mmengine.fileio import exists, list_from_file

DIOR_CLASSES = ('airplane', 'airport', 'baseballfield', 'basketballcourt', 'bridge', 'chimney',
                'dam', 'Expressway-Service-area', 'Expressway-toll-station', 'golffield',
                'groundtrackfield', 'harbor', 'overpass', 'ship', 'stadium', 'storagetank',
                'tenniscourt', 'trainstation', 'vehicle', 'windmill')
_CANONICAL = {c.lower(): c for c in DIOR_CLASSES}


@DATASETS.register_module()
class DIORDataset(XMLDataset):
    """DIOR horizontal boxes in the published layout (registered in mmdet)::

        data_root/ImageSets/Main/{train,val,test}.txt    # image ids, one per line
        data_root/Annotations/<id>.xml                   # horizontal boxes, VOC style
        data_root/JPEGImages-trainval/<id>.jpg           # ids of train.txt and val.txt
        data_root/JPEGImages-test/<id>.jpg

    Later releases put the XML files in ``Annotations/Horizontal Bounding Boxes/``: pass that as
    ``ann_subdir``. Class names are matched case-insensitively (releases differ, e.g.
    ``Expressway-Service-area`` / ``expressway-service-area``); a name that is not a DIOR class
    is an error (mmdet's XMLDataset would drop the object silently).

    Args:
        ann_file (str): The split file, e.g. ``'ImageSets/Main/train.txt'``.
        img_subdir (str): ``'JPEGImages-trainval'`` or ``'JPEGImages-test'``.
        ann_subdir (str): Defaults to ``'Annotations'``.
    """

    METAINFO = dict(classes=DIOR_CLASSES)

    def __init__(self, img_subdir: str = 'JPEGImages-trainval', ann_subdir: str = 'Annotations',
                 **kwargs):
        # XMLDataset builds paths under data_prefix['sub_data_root']; '' joins to data_root.
        kwargs.setdefault('data_prefix', dict(sub_data_root=''))
        super().__init__(img_subdir=img_subdir, ann_subdir=ann_subdir, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not exists(self.ann_file, backend_args=self.backend_args):
            raise FileNotFoundError(f'DIOR split file not found: {self.ann_file}')
        self.cat2label = {c: i for i, c in enumerate(self.metainfo['classes'])}
        data_list = []
        for img_id in list_from_file(self.ann_file, backend_args=self.backend_args):
            img_id = img_id.strip()
            if not img_id:
                continue
            file_name = osp.join(self.img_subdir, f'{img_id}.jpg')
            xml_path = osp.join(self.sub_data_root, self.ann_subdir, f'{img_id}.xml')
            for kind, path in (('image', osp.join(self.sub_data_root, file_name)),
                               ('annotation', xml_path)):
                if not exists(path, backend_args=self.backend_args):
                    raise FileNotFoundError(f'DIOR {kind} of id {img_id!r} (listed in '
                                            f'{self.ann_file}) not found: {path}')
            try:
                data_list.append(self.parse_data_info(
                    dict(img_id=img_id, file_name=file_name, xml_path=xml_path)))
            except ValueError as e:
                raise ValueError(f'{xml_path}: {e}') from None
        if not data_list:
            raise ValueError(f'DIOR split file lists no image: {self.ann_file}')
        return data_list

    @staticmethod
    def dior_class(obj) -> str:
        """The DIOR spelling of an XML ``<object>``'s class name (matched case-insensitively);
        a name that is not a DIOR class is an error."""
        name = obj.find('name')
        spelled = _CANONICAL.get(name.text.strip().lower()) if name is not None else None
        if spelled is None:
            raise ValueError(f'object class {None if name is None else name.text!r} is not '
                             f'a DIOR class {DIOR_CLASSES}')
        return spelled

    def _parse_instance_info(self, raw_ann_info, minus_one: bool = True) -> List[dict]:
        for obj in raw_ann_info.findall('object'):
            obj.find('name').text = self.dior_class(obj)
        return super()._parse_instance_info(raw_ann_info, minus_one=minus_one)
