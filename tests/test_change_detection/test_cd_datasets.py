"""LEVIR-CD / CDD / generic bitemporal datasets: layouts, labels, and errors naming both files."""
import os

import numpy as np
import pytest
from mmseg.registry import DATASETS

from ..fakes.change_pairs import make_split_dataset, random_pair, write_pair

PIPELINE = [dict(type='LoadImagePairFromFile'), dict(type='LoadChangeLabel'),
            dict(type='ConcatCDInput'), dict(type='PackSegInputs')]


@pytest.mark.parametrize('dataset_type', ['LEVIRCDBitemporalDataset', 'CDDBitemporalDataset'])
def test_split_layouts(tmp_path, dataset_type):
    root = make_split_dataset(str(tmp_path), dataset_type, splits=(('train', 3), ('test', 1)))
    dataset = DATASETS.build(dict(type=dataset_type, data_root=root, split='train',
                                  pipeline=PIPELINE))
    assert len(dataset) == 3
    label_dir = 'label' if dataset_type.startswith('LEVIR') else 'OUT'
    suffix = '.png' if dataset_type.startswith('LEVIR') else '.jpg'
    info = dataset.get_data_info(1)
    assert info['img_path'] == os.path.join(root, 'train', 'A', '01' + suffix)
    assert info['img_path2'] == os.path.join(root, 'train', 'B', '01' + suffix)
    assert info['seg_map_path'] == os.path.join(root, 'train', label_dir, '01' + suffix)
    sample = dataset[0]
    assert sample['inputs'].shape == (6, 64, 64)
    label = sample['data_samples'].gt_sem_seg.data[0].numpy()
    assert set(np.unique(label)) == {0, 1}
    assert dataset.metainfo['classes'] == ('unchanged', 'changed')


def test_generic_two_folders_and_mask(tmp_path):
    rng = np.random.default_rng(0)
    for name in ('a', 'b'):
        write_pair(str(tmp_path), name, *random_pair(rng, 32), label_dir='mask')
    dataset = DATASETS.build(dict(
        type='BitemporalDataset', data_root=str(tmp_path), pipeline=PIPELINE,
        data_prefix=dict(img_path='A', img_path2='B', seg_map_path='mask')))
    assert [os.path.basename(d['img_path']) for d in dataset.load_data_list()] == ['a.png',
                                                                                   'b.png']
    img_a, img_b, label = random_pair(np.random.default_rng(0), 32)
    sample = dataset[0]
    # date A's BGR bands, then date B's (the preprocessor turns each to RGB)
    np.testing.assert_array_equal(sample['inputs'].permute(1, 2, 0).numpy(),
                                  np.concatenate([img_a, img_b], axis=2))
    np.testing.assert_array_equal(sample['data_samples'].gt_sem_seg.data[0].numpy(), label > 0)


def build_generic(root):
    return DATASETS.build(dict(type='BitemporalDataset', data_root=str(root), pipeline=PIPELINE))


def test_missing_label_names_both_images_and_the_label(tmp_path):
    rng = np.random.default_rng(0)
    write_pair(str(tmp_path), 'ok', *random_pair(rng, 32))
    img_a, img_b, _ = random_pair(rng, 32)
    write_pair(str(tmp_path), 'nolabel', img_a, img_b, None)
    with pytest.raises(FileNotFoundError) as err:
        build_generic(tmp_path)
    assert str(err.value) == (f"change label {tmp_path / 'label/nolabel.png'} not found for the "
                              f"image pair {tmp_path / 'A/nolabel.png'} and "
                              f"{tmp_path / 'B/nolabel.png'}")


def test_missing_date_b_names_both_files(tmp_path):
    rng = np.random.default_rng(0)
    img_a, _, label = random_pair(rng, 32)
    write_pair(str(tmp_path), 'x', img_a, None, label)
    with pytest.raises(FileNotFoundError) as err:
        build_generic(tmp_path)
    assert str(err.value) == (f"date-B image {tmp_path / 'B/x.png'} not found for date-A image "
                              f"{tmp_path / 'A/x.png'}")


def test_mismatched_sizes_name_both_files(tmp_path):
    write_pair(str(tmp_path), 'x', np.zeros((32, 32, 3), np.uint8),
               np.zeros((48, 32, 3), np.uint8), np.zeros((32, 32), np.uint8))
    dataset = build_generic(tmp_path)
    with pytest.raises(ValueError) as err:
        dataset[0]
    assert (f"{tmp_path / 'A/x.png'} is 32x32 px with 3 bands, {tmp_path / 'B/x.png'} is "
            '48x32 px with 3 bands') in str(err.value)


def test_missing_folder_and_empty_dataset(tmp_path):
    (tmp_path / 'A').mkdir()
    (tmp_path / 'B').mkdir()
    with pytest.raises(FileNotFoundError, match='change label folder not found: .*label'):
        build_generic(tmp_path)
    (tmp_path / 'label').mkdir()
    with pytest.raises(FileNotFoundError, match=r'no \*.png image in .*A'):
        build_generic(tmp_path)
