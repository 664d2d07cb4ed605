import os.path as osp

from mmpretrain.datasets import CustomDataset
from mmpretrain.registry import DATASETS

RS_IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp', '.jp2')


@DATASETS.register_module()
class UnlabeledRSDataset(CustomDataset):
    """Unlabelled remote-sensing images for self-supervised pretraining.

    Two layouts, both read by mmpretrain's ``CustomDataset`` (recursive scan, file lists):

    - a folder tree (MillionAID: ``data_root/<category>/.../<image>``), every image under
      ``data_prefix`` is a sample;
    - a file list: ``ann_file`` with one image path per line, relative to ``data_prefix``.

    Adds GeoTIFF / JPEG2000 extensions and errors naming the missing path.
    """

    def __init__(self, data_root: str = '', data_prefix='', ann_file: str = '',
                 extensions=RS_IMAGE_EXTENSIONS, **kwargs):
        super().__init__(data_root=data_root, data_prefix=data_prefix, ann_file=ann_file,
                         with_label=False, extensions=extensions, **kwargs)

    def load_data_list(self):
        if self.ann_file and not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'UnlabeledRSDataset: file list not found: {self.ann_file}')
        if not self.ann_file and not osp.isdir(self.img_prefix):
            raise FileNotFoundError(f'UnlabeledRSDataset: image folder not found: {self.img_prefix}')
        data_list = super().load_data_list()
        if not data_list:
            raise RuntimeError(f'UnlabeledRSDataset: no image listed in {self.ann_file}')
        return data_list
