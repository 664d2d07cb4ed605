"""UCM / AID / NWPU-RESISC45 datasets and their seeded split files, on tiny fake trees."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest

from cmid_mm.datasets import make_scene_splits
from cmid_mm.datasets.scene_classification import split_file

from ..fakes.scenes import NAMES, make_scene_tree

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SPLIT_TOOL = osp.join(REPO, 'tools/dataset_converters/make_scene_splits.py')
PIPELINE = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
EXPECTED = {'ucmerced': (21, ('8-2', )), 'aid': (30, ('2-8', '5-5')),
            'nwpu': (45, ('1-9', '2-8'))}


def counts_for(cls):
    """Uneven class sizes (2 to 11 images) to exercise per-class rounding."""
    return [2 + (3 * label) % 10 for label in range(len(cls.METAINFO['classes']))]


def read_split(path):
    with open(path) as f:
        return [line.split() for line in f.read().splitlines()]


@pytest.fixture(params=list(NAMES))
def tree(request, tmp_path):
    cls = NAMES[request.param]
    return request.param, cls, make_scene_tree(tmp_path / 'data', cls, counts_for(cls))


def test_published_class_lists():
    for name, cls in NAMES.items():
        classes = cls.METAINFO['classes']
        assert len(classes) == len(set(classes)) == EXPECTED[name][0]
        assert cls.SPLIT_RATIOS == EXPECTED[name][1]


def test_splits_are_stratified_deterministic_and_nested(tree, tmp_path):
    name, cls, root = tree
    summary = make_scene_splits(name, root, seed=3)
    assert list(summary) == list(cls.SPLIT_RATIOS)

    def contents():
        return {r: [open(f).read() for f in s['files']] for r, s in summary.items()}

    first = contents()
    make_scene_splits(name, root, seed=3)
    assert contents() == first
    make_scene_splits(name, root, seed=4)
    assert contents() != first
    make_scene_splits(name, root, seed=3)

    counts = counts_for(cls)
    train_sets = []
    for ratio, s in summary.items():
        fraction = int(ratio[0]) / 10
        train, test = (read_split(f) for f in s['files'])
        assert s['train'] == len(train) and s['test'] == len(test)
        for label, class_name in enumerate(cls.METAINFO['classes']):
            n = counts[label]
            expected_train = min(max(int(np.floor(n * fraction + 0.5)), 1), n - 1)
            tr = {p for p, lab in train if lab == str(label)}
            te = {p for p, lab in test if lab == str(label)}
            assert len(tr) == expected_train and len(te) == n - expected_train
            assert all(p.split('/')[-2] == class_name for p in tr | te)
            on_disk = os.listdir(osp.join(root, cls.IMAGE_DIR, class_name))
            assert {osp.basename(p) for p in tr | te} == set(on_disk)
        train_sets.append({p for p, _ in train})
    # a smaller training fraction takes a subset of a larger one (same per-class shuffle)
    if len(train_sets) == 2:
        small, large = sorted(train_sets, key=len)
        assert small < large


def test_dataset_reads_the_split(tree):
    name, cls, root = tree
    make_scene_splits(name, root)
    ratio = cls.SPLIT_RATIOS[-1]
    train = cls(data_root=str(root), split='train', split_ratio=ratio, pipeline=PIPELINE)
    test = cls(data_root=str(root), split='test', split_ratio=ratio, pipeline=PIPELINE)
    lines = read_split(split_file(str(root), 'test', ratio))
    assert len(test) == len(lines) and len(train) + len(test) == sum(counts_for(cls))
    assert len(train.CLASSES) == EXPECTED[name][0]
    sample = test[len(test) - 1]
    assert tuple(sample['inputs'].shape) == (3, 32, 32)
    assert int(sample['data_samples'].gt_label) == int(lines[-1][1])
    assert sample['data_samples'].img_path.endswith(lines[-1][0])
    default = cls(data_root=str(root), pipeline=PIPELINE)  # train split, first standard ratio
    assert default.split_ratio == cls.SPLIT_RATIOS[0]


@pytest.fixture
def ucm(tmp_path):
    root = make_scene_tree(tmp_path / 'UCMerced_LandUse', NAMES['ucmerced'], 3)
    make_scene_splits('ucmerced', root)
    return NAMES['ucmerced'], str(root)


def test_missing_split_file(ucm):
    cls, root = ucm
    path = split_file(root, 'train', '5-5')
    with pytest.raises(FileNotFoundError, match=f'split file not found: {path}.*'
                       f'make_scene_splits.py ucmerced {root}'):
        cls(data_root=root, split_ratio='5-5')


def test_missing_image(ucm):
    cls, root = ucm
    victim = read_split(split_file(root, 'test', '8-2'))[4][0]
    os.remove(osp.join(root, victim))
    with pytest.raises(FileNotFoundError, match=f'not found: {osp.join(root, victim)}'):
        cls(data_root=root, split='test')


def test_missing_and_extra_class_folders(ucm):
    cls, root = ucm
    shutil.rmtree(osp.join(root, 'Images', 'harbor'))
    with pytest.raises(FileNotFoundError, match=r"1 class folder\(s\) missing in .*Images: "
                       r"\['harbor'\]"):
        cls(data_root=root)
    with pytest.raises(FileNotFoundError, match='harbor'):
        make_scene_splits('ucmerced', root)
    os.makedirs(osp.join(root, 'Images', 'harbor'))
    os.makedirs(osp.join(root, 'Images', 'rivers'))
    with pytest.raises(ValueError, match=r"unexpected folder\(s\) in .*Images: \['rivers'\]"):
        cls(data_root=root)


def test_label_must_match_the_class_folder(ucm):
    cls, root = ucm
    path = split_file(root, 'train', '8-2')
    lines = open(path).read().splitlines()
    lines[0] = lines[0].rsplit(' ', 1)[0] + ' 5'
    open(path, 'w').write('\n'.join(lines) + '\n')
    with pytest.raises(ValueError, match="label 5 of .*agricultural00.tif does not match its "
                       "class folder 'agricultural'"):
        cls(data_root=root)


def test_bad_ratio_and_tiny_class(ucm):
    cls, root = ucm
    with pytest.raises(ValueError, match="must add up to 10"):
        cls(data_root=root, split_ratio='8-3')
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        cls(data_root=root, split='val')
    for f in os.listdir(osp.join(root, 'Images', 'beach'))[1:]:
        os.remove(osp.join(root, 'Images', 'beach', f))
    with pytest.raises(ValueError, match=r'Images/beach has 1 .tif image\(s\); a split needs at '
                       'least 2'):
        make_scene_splits('ucmerced', root)


def run_split_tool(*args):
    return subprocess.run([sys.executable, SPLIT_TOOL, *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def test_split_tool(tmp_path):
    root = make_scene_tree(tmp_path / 'AID', NAMES['aid'], 4)
    proc = run_split_tool('aid', root, '--ratios', '5-5', '--seed', '1')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f'| 5-5 | 60 | 60 | {split_file(str(root), "train", "5-5")} ' in proc.stdout
    assert sorted(os.listdir(root / 'splits')) == ['test_5-5.txt', 'train_5-5.txt']

    proc = run_split_tool('nwpu', tmp_path / 'nope')
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == \
        f'error: NWPURESISC45 image folder not found: {tmp_path / "nope"}'
