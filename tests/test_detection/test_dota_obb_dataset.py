"""DOTADataset (oriented) and DIORRDataset: le90 boxes from the label polygons."""
import math

import cv2
import numpy as np
import pytest

from cmid_mm.detection import DIORRDataset, DOTADataset, dump_dota_labels
from cmid_mm.detection.rotated import normalize_rboxes, rboxes_to_polys
from .test_rotated_boxes import same_polygons

BOXES = normalize_rboxes(np.float32([[40, 30, 30, 10, 0.5], [100, 90, 20, 40, -1.2]]))


def test_dota_dataset_reads_rotated_boxes_and_difficult(tmp_path):
    for sub in ('images', 'labelTxt'):
        (tmp_path / 'train' / sub).mkdir(parents=True)
    cv2.imwrite(str(tmp_path / 'train/images/P0000.png'), np.zeros((128, 160, 3), np.uint8))
    dump_dota_labels(str(tmp_path / 'train/labelTxt/P0000.txt'), rboxes_to_polys(BOXES),
                     ['plane', 'ship'], [0, 1])
    ds = DOTADataset(data_root=str(tmp_path), ann_file='train/labelTxt/',
                     data_prefix=dict(img_path='train/images/'), pipeline=[])
    info = ds.get_data_info(0)
    boxes = np.float32([i['bbox'] for i in info['instances']])
    assert boxes.shape == (2, 5)
    assert same_polygons(rboxes_to_polys(boxes), rboxes_to_polys(BOXES), atol=0.1)
    assert [i['bbox_label'] for i in info['instances']] == [0, 6]
    assert [i['ignore_flag'] for i in info['instances']] == [0, 1]


def _dior_r_xml(path, objects):
    fields = ('x_left_top', 'y_left_top', 'x_right_top', 'y_right_top', 'x_right_bottom',
              'y_right_bottom', 'x_left_bottom', 'y_left_bottom')
    body = ''
    for name, poly in objects:
        coords = ''.join(f'<{k}>{v:.1f}</{k}>' for k, v in zip(fields, poly))
        body += (f'<object><name>{name}</name><difficult>0</difficult>'
                 f'<robndbox>{coords}</robndbox><angle>0</angle></object>')
    path.write_text('<annotation><size><width>800</width><height>800</height><depth>3</depth>'
                    f'</size>{body}</annotation>')


def test_dior_r_dataset_reads_rotated_boxes(tmp_path):
    ann = tmp_path / 'Annotations' / 'Oriented Bounding Boxes'
    for sub in (ann, tmp_path / 'ImageSets/Main', tmp_path / 'JPEGImages-trainval'):
        sub.mkdir(parents=True)
    (tmp_path / 'ImageSets/Main/train.txt').write_text('00001\n')
    cv2.imwrite(str(tmp_path / 'JPEGImages-trainval/00001.jpg'), np.zeros((8, 8, 3), np.uint8))
    polys = rboxes_to_polys(BOXES)
    _dior_r_xml(ann / '00001.xml', [('airplane', polys[0]), ('Vehicle', polys[1])])
    ds = DIORRDataset(data_root=str(tmp_path), ann_file='ImageSets/Main/train.txt', pipeline=[])
    info = ds.get_data_info(0)
    boxes = np.float32([i['bbox'] for i in info['instances']])
    assert same_polygons(rboxes_to_polys(boxes), polys, atol=0.1)
    assert [i['bbox_label'] for i in info['instances']] == [0, 18]
    assert math.isclose(info['width'], 800)
    _dior_r_xml(ann / '00001.xml', [('not-a-class', polys[0])])
    with pytest.raises(ValueError, match='not a DIOR class'):
        DIORRDataset(data_root=str(tmp_path), ann_file='ImageSets/Main/train.txt', pipeline=[])
