import cv2
import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate
from mmpretrain.registry import DATASETS

from cmid_mm.datasets import CheckedLoadImageFromFile, CheckSameSize, ImageFileError


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    good = tmp_path / 'good.jpg'
    cv2.imwrite(str(good), rng.integers(0, 255, (64, 64, 3), np.uint8))
    data = good.read_bytes()
    (tmp_path / 'truncated.jpg').write_bytes(data[:-40])
    (tmp_path / 'half.jpg').write_bytes(data[:len(data) // 2])
    (tmp_path / 'empty.jpg').write_bytes(b'')
    (tmp_path / 'text.jpg').write_bytes(b'not an image')
    cv2.imwrite(str(tmp_path / 'gray.png'), rng.integers(0, 255, (64, 64), np.uint8))
    cv2.imwrite(str(tmp_path / 'small.png'), rng.integers(0, 255, (16, 16, 3), np.uint8))
    png = tmp_path / 'cut.png'
    cv2.imwrite(str(png), rng.integers(0, 255, (64, 64, 3), np.uint8))
    png.write_bytes(png.read_bytes()[:-30])
    return tmp_path


@pytest.mark.parametrize('name,message', [
    ('truncated.jpg', 'truncated image'),
    ('half.jpg', 'truncated image'),
    ('cut.png', 'truncated image'),
    ('empty.jpg', 'empty file'),
    ('text.jpg', 'cannot decode'),
    ('missing.jpg', 'cannot read the file'),
    ('gray.png', '1 band(s), expected 3'),
    ('small.png', 'smaller than min_size=32'),
])
def test_bad_files_give_one_error_naming_the_file(files, name, message):
    load = CheckedLoadImageFromFile(expected_channels=3, min_size=32)
    path = str(files / name)
    with pytest.raises(ImageFileError) as err:
        load(dict(img_path=path))
    assert str(err.value).startswith(path) and message in str(err.value)


def test_good_file_loads_like_mmcv(files):
    out = CheckedLoadImageFromFile(expected_channels=3)(dict(img_path=str(files / 'good.jpg')))
    assert out['img'].shape == (64, 64, 3) and out['img_shape'] == (64, 64)


def test_skip_mode_warns_counts_and_the_dataset_draws_another_sample(files):
    for name in ('good.jpg', 'empty.jpg', 'text.jpg'):
        (files / 'set' / 'a').mkdir(parents=True, exist_ok=True)
        (files / 'set' / 'a' / name).write_bytes((files / name).read_bytes())
    dataset = DATASETS.build(dict(
        type='UnlabeledRSDataset', data_root=str(files / 'set'),
        pipeline=[dict(type='CheckedLoadImageFromFile', on_error='skip')]))
    loader = dataset.pipeline.transforms[0]
    imgs = [dataset[i]['img_path'] for i in range(len(dataset)) for _ in range(3)]
    assert all(p.endswith('good.jpg') for p in imgs)  # bad files replaced by good samples
    assert loader.skipped > 0


def test_a_bad_file_in_a_worker_fails_fast_with_its_name(files):
    (files / 'w' / 'a').mkdir(parents=True)
    (files / 'w' / 'a' / 'empty.jpg').write_bytes(b'')
    dataset = DATASETS.build(dict(type='UnlabeledRSDataset', data_root=str(files / 'w'),
                                  pipeline=[dict(type='CheckedLoadImageFromFile')]))
    loader = torch.utils.data.DataLoader(dataset, num_workers=1, collate_fn=default_collate,
                                         timeout=60)
    with pytest.raises(ImageFileError, match='empty.jpg: empty file'):
        next(iter(loader))


def test_label_map_of_the_wrong_size_names_both_files():
    check = CheckSameSize()
    results = dict(img=np.zeros((64, 64, 3)), gt_seg_map=np.zeros((60, 64)),
                   img_path='a/img.png', seg_map_path='a/label.png')
    with pytest.raises(ImageFileError, match=r'a/img.png, a/label.png: sizes differ'):
        check(results)
    results['gt_seg_map'] = np.zeros((64, 64))
    assert check(results) is results
