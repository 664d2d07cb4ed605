"""DOTA label format and DOTAHBBDataset: polygons -> horizontal boxes, errors naming the path."""
import os

import cv2
import numpy as np
import pytest
from cmid_mm.detection import (DOTA_V1_CLASSES, DOTAHBBDataset, dump_dota_labels,
                               load_dota_labels, polygons_to_hboxes)

LABELS = """imagesource:GoogleEarth
gsd:0.146343590398
10 20 50 10 60 40 20 50 plane 0
100.5 100 140 100 140 130 100.5 130 small-vehicle 1
"""


@pytest.fixture
def tiny_dota(tmp_path):
    """DOTA's layout: train/images/*.png + train/labelTxt/*.txt (P0001 has no object)."""
    for sub in ('images', 'labelTxt'):
        (tmp_path / 'train' / sub).mkdir(parents=True)
    for name, size in (('P0000', (160, 200)), ('P0001', (64, 64))):
        cv2.imwrite(str(tmp_path / 'train' / 'images' / f'{name}.png'),
                    np.zeros(size + (3, ), np.uint8))
    (tmp_path / 'train' / 'labelTxt' / 'P0000.txt').write_text(LABELS)
    (tmp_path / 'train' / 'labelTxt' / 'P0001.txt').write_text('imagesource:GoogleEarth\n')
    return tmp_path


def dota(root, **kwargs):
    kwargs.setdefault('ann_file', 'train/labelTxt/')
    return DOTAHBBDataset(data_root=str(root), data_prefix=dict(img_path='train/images/'),
                          pipeline=[], **kwargs)


def test_label_file_round_trip(tmp_path):
    path = tmp_path / 'a.txt'
    path.write_text(LABELS)
    polys, names, difficult = load_dota_labels(str(path))
    assert polys.shape == (2, 8) and names == ['plane', 'small-vehicle']
    assert difficult.tolist() == [0, 1]
    assert polygons_to_hboxes(polys).tolist() == [[10, 10, 60, 50], [100.5, 100, 140, 130]]
    dump_dota_labels(str(tmp_path / 'b.txt'), polys, names, difficult)
    again = load_dota_labels(str(tmp_path / 'b.txt'))
    np.testing.assert_allclose(again[0], polys)
    assert again[1:][0] == names and again[2].tolist() == [0, 1]


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / 'bad.txt'
    path.write_text('gsd:0.1\n1 2 3 4 5 6 7 plane 0\n')
    with pytest.raises(ValueError, match=rf'{path}:2: expected "x1 y1'):
        load_dota_labels(str(path))


def test_dataset_reads_horizontal_boxes(tiny_dota):
    ds = dota(tiny_dota)
    assert ds.metainfo['classes'] == DOTA_V1_CLASSES and len(ds) == 2
    info = ds.get_data_info(0)
    assert info['img_id'] == 'P0000'
    assert (info['width'], info['height']) == (200, 160)
    assert [i['bbox'] for i in info['instances']] == [[10, 10, 60, 50], [100.5, 100, 140, 130]]
    assert [i['bbox_label'] for i in info['instances']] == [0, 4]
    assert [i['ignore_flag'] for i in info['instances']] == [0, 1]  # difficult: ignored
    assert ds.get_data_info(1)['instances'] == []


def test_filter_empty_gt_in_training(tiny_dota):
    ds = dota(tiny_dota, filter_cfg=dict(filter_empty_gt=True))
    assert [ds.get_data_info(i)['img_id'] for i in range(len(ds))] == ['P0000']


def test_unlabelled_split_lists_images(tiny_dota):
    ds = dota(tiny_dota, ann_file='', test_mode=True)
    assert [ds.get_data_info(i)['img_id'] for i in range(len(ds))] == ['P0000', 'P0001']
    assert all(ds.get_data_info(i)['instances'] == [] for i in range(2))


def test_custom_classes(tiny_dota):
    (tiny_dota / 'train' / 'labelTxt' / 'P0000.txt').write_text('1 1 9 1 9 9 1 9 tree\n')
    ds = dota(tiny_dota, metainfo=dict(classes=('tree', )))
    assert ds.get_data_info(0)['instances'][0]['bbox'] == [1, 1, 9, 9]


def test_missing_label_folder(tiny_dota):
    path = os.path.join(str(tiny_dota), 'val/labelTxt/')
    with pytest.raises(FileNotFoundError, match=f'DOTA label folder not found: {path}'):
        dota(tiny_dota, ann_file='val/labelTxt/')


def test_missing_image(tiny_dota):
    (tiny_dota / 'train' / 'images' / 'P0001.png').unlink()
    path = os.path.join(str(tiny_dota), 'train/images/', 'P0001.png')
    with pytest.raises(FileNotFoundError, match=f"DOTA image for 'P0001' not found: {path}"):
        dota(tiny_dota)


def test_unknown_class_names_the_file(tiny_dota):
    label = tiny_dota / 'train' / 'labelTxt' / 'P0001.txt'
    label.write_text('1 1 9 1 9 9 1 9 container-crane 0\n')
    with pytest.raises(ValueError, match=r"P0001\.txt: classes \['container-crane'\] are not"):
        dota(tiny_dota)
