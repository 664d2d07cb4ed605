"""Tree-crown patches of the downstream demo (deepforest's NEON crops and boxes)."""
import os.path as osp

import cv2
import numpy as np
import pytest
from cmid_mm.detection import DOTAHBBDataset, parse_patch_name

import demo_downstream_data as demo_data  # demo/ is on sys.path (conftest)


@pytest.fixture(scope='module')
def trees(tmp_path_factory):
    root = tmp_path_factory.mktemp('neon_trees')
    stats = demo_data.prepare_neon_trees(str(root), patch_size=256, val_fraction=0.25)
    datasets = {
        split: DOTAHBBDataset(data_root=str(root), ann_file=f'{split}/labelTxt/',
                              data_prefix=dict(img_path=f'{split}/images/'),
                              metainfo=dict(classes=('tree', )), pipeline=[])
        for split in ('train', 'val')
    }
    return stats, datasets


def test_patches_read_by_the_dota_dataset(trees):
    stats, datasets = trees
    for split, ds in datasets.items():
        infos = [ds.get_data_info(i) for i in range(len(ds))]
        assert len(infos) == stats[split]['patches'] > 10
        assert sum(len(i['instances']) for i in infos) == stats[split]['trees']
        for info in infos:
            assert (info['width'], info['height']) == (256, 256) and info['instances']
            boxes = np.array([inst['bbox'] for inst in info['instances']])
            assert (boxes[:, :2] >= 0).all() and (boxes[:, 2:] <= 256).all()
            assert (boxes[:, 2:] > boxes[:, :2]).all()
            assert {inst['bbox_label'] for inst in info['instances']} == {0}


def test_val_is_the_bottom_quarter_on_a_grid(trees):
    """Val patches tile the bottom quarter of each scene without overlap, so each val tree
    lying inside one grid cell is there exactly once."""
    _, datasets = trees
    src = demo_data.package_data_dir('deepforest', 'data')
    val = {}
    for i in range(len(datasets['val'])):
        info = datasets['val'].get_data_info(i)
        scene, _, x, y = parse_patch_name(info['img_id'])
        assert scene.endswith('_val') and x % 256 == 0 and y % 256 == 0
        for inst in info['instances']:
            val.setdefault(scene[:-len('_val')], []).append(np.add(inst['bbox'], [x, y, x, y]))
    assert set(val) <= set(demo_data.NEON_SCENES) and len(val) >= 3
    for scene, found in val.items():
        height = cv2.imread(osp.join(src, f'{scene}.png')).shape[0]
        cut = int(round(height * 0.75))
        boxes = demo_data.load_voc_boxes(osp.join(src, f'{scene}.xml'))
        inside = boxes[(boxes[:, 1] >= cut)]
        inside = inside[((inside[:, 0] // 256) == ((inside[:, 2] - 1e-3) // 256)) &
                        (((inside[:, 1] - cut) // 256) == ((inside[:, 3] - cut - 1e-3) // 256))]
        found = np.array(found, np.float32)
        for box in inside - [0, cut, 0, cut]:
            assert (np.abs(found - box).sum(axis=1) < 1e-3).sum() == 1, (scene, box)
