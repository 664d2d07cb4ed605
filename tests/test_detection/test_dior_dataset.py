"""DIORDataset reads DIOR's published layout and names the missing file on errors."""
import os

import numpy as np
import pytest
from cmid_mm.detection import DIOR_CLASSES, DIORDataset

from ..fakes.voc import write_voc_xml


def dior(root, split='train', **kwargs):
    img_subdir = 'JPEGImages-test' if split == 'test' else 'JPEGImages-trainval'
    return DIORDataset(data_root=str(root), ann_file=f'ImageSets/Main/{split}.txt',
                       img_subdir=img_subdir, pipeline=[], **kwargs)


def test_reads_train_split(tiny_dior):
    ds = dior(tiny_dior)
    assert len(DIOR_CLASSES) == 20 and ds.metainfo['classes'] == DIOR_CLASSES
    assert len(ds) == 2
    first = ds.get_data_info(0)
    assert first['img_path'] == os.path.join(str(tiny_dior), 'JPEGImages-trainval', '00001.jpg')
    assert (first['width'], first['height']) == (64, 64)
    # VOC convention: 1-based pixel coordinates -> 0-based
    assert [i['bbox'] for i in first['instances']] == [[4, 5, 39, 40], [9, 19, 59, 49]]
    assert [i['bbox_label'] for i in first['instances']] == [
        DIOR_CLASSES.index('airplane'), DIOR_CLASSES.index('Expressway-Service-area')]
    assert all(i['ignore_flag'] == 0 for i in first['instances'])


def test_test_split_uses_test_images(tiny_dior):
    ds = dior(tiny_dior, split='test', test_mode=True)
    assert len(ds) == 1
    info = ds.get_data_info(0)
    assert info['img_path'].endswith(os.path.join('JPEGImages-test', '00004.jpg'))
    assert info['instances'][0]['bbox_label'] == DIOR_CLASSES.index('windmill')


def test_class_names_match_case_insensitively(tiny_dior):
    write_voc_xml(tiny_dior / 'Annotations' / '00002.xml', 64,
                  [('expressway-service-area', 1, 1, 9, 9), ('Dam', 2, 2, 20, 20)])
    labels = [i['bbox_label'] for i in dior(tiny_dior).get_data_info(1)['instances']]
    assert labels == [DIOR_CLASSES.index('Expressway-Service-area'), DIOR_CLASSES.index('dam')]


def test_newer_release_annotation_folder(tiny_dior):
    hbb = tiny_dior / 'Annotations' / 'Horizontal Bounding Boxes'
    hbb.mkdir()
    for xml in (tiny_dior / 'Annotations').glob('*.xml'):
        xml.rename(hbb / xml.name)
    ds = dior(tiny_dior, ann_subdir='Annotations/Horizontal Bounding Boxes')
    assert len(ds.get_data_info(0)['instances']) == 2


def test_missing_split_file(tiny_dior):
    path = tiny_dior / 'ImageSets' / 'Main' / 'trainval.txt'
    with pytest.raises(FileNotFoundError, match=f'DIOR split file not found: {path}'):
        dior(tiny_dior, split='trainval')


@pytest.mark.parametrize('kind,rel', [('image', 'JPEGImages-trainval/00002.jpg'),
                                      ('annotation', 'Annotations/00002.xml')])
def test_missing_image_or_annotation(tiny_dior, kind, rel):
    (tiny_dior / rel).unlink()
    with pytest.raises(FileNotFoundError) as err:
        dior(tiny_dior)
    assert f"DIOR {kind} of id '00002'" in str(err.value)
    assert str(err.value).endswith(f'not found: {os.path.join(str(tiny_dior), rel)}')


def test_unknown_class_names_the_file(tiny_dior):
    write_voc_xml(tiny_dior / 'Annotations' / '00001.xml', 64, [('helicopter', 1, 1, 9, 9)])
    with pytest.raises(ValueError, match=r"00001\.xml: object class 'helicopter' is not a DIOR"):
        dior(tiny_dior)


def test_class_subset_skips_other_classes(tiny_dior):
    ds = dior(tiny_dior, metainfo=dict(classes=('vehicle', 'airplane')))
    assert [i['bbox_label'] for i in ds.get_data_info(0)['instances']] == [1]
    boxes = np.array([i['bbox'] for i in ds.get_data_info(1)['instances']])
    assert boxes.tolist() == [[29, 29, 49, 44]]
