"""Remote-sensing scene classification sets in their published folder layouts.

* UC Merced Land-Use: ``UCMerced_LandUse/Images/<class>/<class>NN.tif`` (21 x 100, 256 x 256 px).
* AID: ``AID/<Class>/<class>_N.jpg`` (30 classes, 220-420 images each, 600 x 600 px).
* NWPU-RESISC45: ``NWPU-RESISC45/<class>/<class>_NNN.jpg`` (45 x 700, 256 x 256 px).

None of them ships a train/test split; papers sample a fraction of each class for training
(UCM 8:2, AID 2:8 and 5:5, NWPU 1:9 and 2:8). :func:`make_scene_splits` writes such splits as
seeded, per-class stratified files ``<data_root>/splits/{train,test}_<a>-<b>.txt`` with lines
``<path relative to data_root> <label>``, which the datasets read through mmpretrain's
``CustomDataset`` annotation-file path.
"""
import os
import os.path as osp
import re
import tempfile

import numpy as np
from mmpretrain.datasets import CustomDataset
from mmpretrain.registry import DATASETS

SPLIT_DIR = 'splits'
_RATIO = re.compile(r'^([1-9])-([1-9])$')


def split_file(data_root, split, ratio):
    """``<data_root>/splits/<split>_<ratio>.txt``."""
    return osp.join(data_root, SPLIT_DIR, f'{split}_{ratio}.txt')


def _train_fraction(ratio):
    m = _RATIO.match(str(ratio))
    if m is None:
        raise ValueError(f"split ratio must look like '8-2' (train-test, tenths), got {ratio!r}")
    train, test = map(int, m.groups())
    if train + test != 10:
        raise ValueError(f"split ratio {ratio!r} must add up to 10 (e.g. '8-2')")
    return train / 10


class SceneClassificationDataset(CustomDataset):
    """An RS scene set: class folders under ``data_root/IMAGE_DIR`` and seeded split files.

    Args:
        data_root (str): The dataset folder (e.g. ``data/UCMerced_LandUse``).
        split (str): 'train' or 'test'.
        split_ratio (str, optional): 'train-test' ratio in tenths, e.g. '8-2'. Defaults to the
            first of ``SPLIT_RATIOS``.
        **kwargs: Passed to :class:`mmpretrain.datasets.CustomDataset` (``pipeline``, ...).
    """
    SPLITS_NAME = ''  # the dataset's name in tools/dataset_converters/make_scene_splits.py
    IMAGE_DIR = ''
    IMG_EXTENSIONS = ('.jpg', )
    SPLIT_RATIOS = ()

    def __init__(self, data_root, split='train', split_ratio=None, **kwargs):
        if split not in ('train', 'test'):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        self.split = split
        self.split_ratio = split_ratio or self.SPLIT_RATIOS[0]
        _train_fraction(self.split_ratio)
        super().__init__(data_root=data_root,
                         ann_file=osp.join(SPLIT_DIR, f'{split}_{self.split_ratio}.txt'),
                         extensions=self.IMG_EXTENSIONS, **kwargs)

    @classmethod
    def image_root(cls, data_root):
        return osp.join(data_root, cls.IMAGE_DIR) if cls.IMAGE_DIR else data_root

    @classmethod
    def check_class_folders(cls, data_root):
        """Raise naming the folder if a class folder is missing or an unknown one is present."""
        root = cls.image_root(data_root)
        if not osp.isdir(root):
            raise FileNotFoundError(f'{cls.__name__} image folder not found: {root}')
        classes = cls.METAINFO['classes']
        found = {d for d in os.listdir(root)
                 if osp.isdir(osp.join(root, d)) and not d.startswith('.')} - {SPLIT_DIR}
        missing = [c for c in classes if c not in found]
        if missing:
            raise FileNotFoundError(f'{cls.__name__}: {len(missing)} class folder(s) missing in '
                                    f'{root}: {missing}')
        extra = sorted(found - set(classes))
        if extra:
            raise ValueError(f'{cls.__name__}: unexpected folder(s) in {root}: {extra} (not one '
                             f'of the {len(classes)} {cls.__name__} classes)')

    @classmethod
    def list_images(cls, data_root):
        """``{class: sorted image paths relative to data_root}`` of the published layout."""
        cls.check_class_folders(data_root)
        images = {}
        for name in cls.METAINFO['classes']:
            folder = osp.join(cls.IMAGE_DIR, name)
            images[name] = sorted(
                osp.join(folder, f) for f in os.listdir(osp.join(data_root, folder))
                if f.lower().endswith(cls.IMG_EXTENSIONS))
        return images

    def load_data_list(self):
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'{type(self).__name__} split file not found: {self.ann_file} (write it with '
                f'python tools/dataset_converters/make_scene_splits.py {self.SPLITS_NAME} '
                f'{self.data_root})')
        self.check_class_folders(self.data_root)
        data_list = super().load_data_list()
        if not data_list:
            raise ValueError(f'{type(self).__name__} split file is empty: {self.ann_file}')
        classes = self.METAINFO['classes']
        for info in data_list:
            path, label = info['img_path'], info['gt_label']
            if not osp.isfile(path):
                raise FileNotFoundError(f'image listed in {self.ann_file} not found: {path}')
            folder = osp.basename(osp.dirname(path))
            if not 0 <= label < len(classes) or classes[label] != folder:
                raise ValueError(f'{self.ann_file}: label {label} of {path} does not match its '
                                 f'class folder {folder!r}')
        return data_list

    def extra_repr(self):
        return [f'Split: \t{self.split} ({self.split_ratio})', f'Data root: \t{self.data_root}']


@DATASETS.register_module()
class UCMerced(SceneClassificationDataset):
    """UC Merced Land-Use (Yang & Newsam 2010): 21 classes x 100 images, 256 x 256 .tif."""
    SPLITS_NAME = 'ucmerced'
    IMAGE_DIR = 'Images'
    IMG_EXTENSIONS = ('.tif', )
    SPLIT_RATIOS = ('8-2', )
    METAINFO = {'classes': (
        'agricultural', 'airplane', 'baseballdiamond', 'beach', 'buildings', 'chaparral',
        'denseresidential', 'forest', 'freeway', 'golfcourse', 'harbor', 'intersection',
        'mediumresidential', 'mobilehomepark', 'overpass', 'parkinglot', 'river', 'runway',
        'sparseresidential', 'storagetanks', 'tenniscourt')}


@DATASETS.register_module()
class AID(SceneClassificationDataset):
    """AID (Xia et al. 2017): 30 classes, 10,000 images of 600 x 600 px."""
    SPLITS_NAME = 'aid'
    SPLIT_RATIOS = ('2-8', '5-5')
    METAINFO = {'classes': (
        'Airport', 'BareLand', 'BaseballField', 'Beach', 'Bridge', 'Center', 'Church',
        'Commercial', 'DenseResidential', 'Desert', 'Farmland', 'Forest', 'Industrial', 'Meadow',
        'MediumResidential', 'Mountain', 'Park', 'Parking', 'Playground', 'Pond', 'Port',
        'RailwayStation', 'Resort', 'River', 'School', 'SparseResidential', 'Square', 'Stadium',
        'StorageTanks', 'Viaduct')}


@DATASETS.register_module()
class NWPURESISC45(SceneClassificationDataset):
    """NWPU-RESISC45 (Cheng et al. 2017): 45 classes x 700 images, 256 x 256 .jpg."""
    SPLITS_NAME = 'nwpu'
    SPLIT_RATIOS = ('1-9', '2-8')
    METAINFO = {'classes': (
        'airplane', 'airport', 'baseball_diamond', 'basketball_court', 'beach', 'bridge',
        'chaparral', 'church', 'circular_farmland', 'cloud', 'commercial_area',
        'dense_residential', 'desert', 'forest', 'freeway', 'golf_course', 'ground_track_field',
        'harbor', 'industrial_area', 'intersection', 'island', 'lake', 'meadow',
        'medium_residential', 'mobile_home_park', 'mountain', 'overpass', 'palace', 'parking_lot',
        'railway', 'railway_station', 'rectangular_farmland', 'river', 'roundabout', 'runway',
        'sea_ice', 'ship', 'snowberg', 'sparse_residential', 'stadium', 'storage_tank',
        'tennis_court', 'terrace', 'thermal_power_station', 'wetland')}


SCENE_DATASETS = {cls.SPLITS_NAME: cls for cls in (UCMerced, AID, NWPURESISC45)}


def _write_lines_atomic(path, lines):
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', suffix='.txt', dir=osp.dirname(path))
    try:
        with os.fdopen(fd, 'w') as f:
            f.writelines(f'{line}\n' for line in lines)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def make_scene_splits(dataset, data_root, ratios=None, seed=0):
    """Write seeded, per-class stratified train/test split files for a scene set.

    Each class's images (sorted by path) are shuffled once with a generator seeded by
    ``(seed, class index)``; a ratio takes the first ``round(n * train fraction)`` of them for
    training (at least 1, at most n - 1), so splits are reproducible, do not depend on the other
    classes, and smaller training sets are subsets of larger ones.

    Args:
        dataset (str | type): 'ucmerced', 'aid', 'nwpu' or a :class:`SceneClassificationDataset`.
        data_root (str): The dataset folder in its published layout.
        ratios (Sequence[str], optional): Train-test ratios; defaults to the standard ones.
        seed (int): Seed of the per-class shuffles.

    Returns:
        dict: ``{ratio: {'train': n_train, 'test': n_test, 'files': (train_file, test_file)}}``.
    """
    cls = SCENE_DATASETS[dataset] if isinstance(dataset, str) else dataset
    ratios = list(ratios or cls.SPLIT_RATIOS)
    fractions = {r: _train_fraction(r) for r in ratios}
    images = cls.list_images(data_root)
    for name, paths in images.items():
        if len(paths) < 2:
            raise ValueError(f'{cls.__name__}: class folder '
                             f'{osp.join(cls.image_root(data_root), name)} has {len(paths)} '
                             f'{"/".join(cls.IMG_EXTENSIONS)} image(s); a split needs at least 2')
    orders = {name: np.random.default_rng([seed, label]).permutation(len(images[name]))
              for label, name in enumerate(cls.METAINFO['classes'])}
    os.makedirs(osp.join(data_root, SPLIT_DIR), exist_ok=True)
    summary = {}
    for ratio, fraction in fractions.items():
        lines = {'train': [], 'test': []}
        for label, name in enumerate(cls.METAINFO['classes']):
            paths = images[name]
            n_train = min(max(int(np.floor(len(paths) * fraction + 0.5)), 1), len(paths) - 1)
            order = orders[name]
            lines['train'] += [f'{paths[i]} {label}' for i in sorted(order[:n_train])]
            lines['test'] += [f'{paths[i]} {label}' for i in sorted(order[n_train:])]
        files = tuple(split_file(data_root, split, ratio) for split in ('train', 'test'))
        for path, split in zip(files, ('train', 'test')):
            _write_lines_atomic(path, lines[split])
        summary[ratio] = dict(train=len(lines['train']), test=len(lines['test']), files=files)
    return summary
