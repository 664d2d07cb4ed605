"""LoadRSImageFromFile: band selection, scaling, nodata, errors, every library's pipelines."""
import cv2
import numpy as np
import pytest
import rasterio
import torch
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope

from cmid_mm.datasets.transforms import LoadRSImageFromFile
from cmid_mm.datasets.transforms.load_rs_image import RasterReadError

from ..fakes.rasters import CRS, TRANSFORM

NAMES = ('blue', 'green', 'red', 'nir', 'swir1')


@pytest.fixture
def scene(make_raster):
    """5-band uint16 (5, 20, 24), band c holds c * 1000 + pixel index; nodata 0 at 3 pixels of
    different bands."""
    data = np.stack([c * 1000 + np.arange(20 * 24).reshape(20, 24) for c in range(1, 6)])
    data = data.astype(np.uint16)
    data[0, 0, 0] = data[2, 5, 7] = data[4, 19, 23] = 0
    return make_raster('scene.tif', data, nodata=0, descriptions=NAMES), data


def load(path, **kwargs):
    return LoadRSImageFromFile(**kwargs)(dict(img_path=path))


def test_all_bands_raw_keeps_values_and_geo(scene):
    path, data = scene
    out = load(path, dtype=None)
    assert out['img'].dtype == np.uint16 and out['img'].shape == (20, 24, 5)
    expected = data.transpose(1, 2, 0).copy()
    expected[out['nodata_mask']] = 0  # every band of a nodata pixel gets nodata_fill
    np.testing.assert_array_equal(out['img'], expected)
    assert out['img_shape'] == out['ori_shape'] == (20, 24)
    assert rasterio.crs.CRS.from_wkt(out['img_crs']) == rasterio.crs.CRS.from_string(CRS)
    assert out['img_transform'] == tuple(TRANSFORM)[:6]


@pytest.mark.parametrize('bands', [[4, 3, 2], ['NIR', 'red', 'Green'], [4, 'red', 2]])
def test_band_selection_by_index_or_name(scene, bands):
    path, data = scene
    out = load(path, bands=bands)
    assert out['img'].dtype == np.float32
    expected = data[[3, 2, 1]].transpose(1, 2, 0).astype(np.float32)
    expected[out['nodata_mask']] = 0
    np.testing.assert_array_equal(out['img'], expected)


def test_nodata_mask_is_any_selected_band(scene):
    path, _ = scene
    mask = load(path)['nodata_mask']
    assert mask.dtype == bool and mask.shape == (20, 24)
    assert set(zip(*np.nonzero(mask))) == {(0, 0), (5, 7), (19, 23)}
    # only band 3 is selected: only its nodata pixel is masked
    assert set(zip(*np.nonzero(load(path, bands=[3])['nodata_mask']))) == {(5, 7)}


def test_nodata_override_and_fill(make_raster):
    data = np.full((2, 4, 4), 7, np.uint16)
    data[1, 2, 3] = 9999
    path = make_raster('no_meta.tif', data)  # no nodata declared in the file
    assert not load(path)['nodata_mask'].any()
    out = load(path, nodata=9999, nodata_fill=-1.)
    assert out['nodata_mask'][2, 3] and out['nodata_mask'].sum() == 1
    np.testing.assert_array_equal(out['img'][2, 3], [-1., -1.])


def test_float_nan_is_nodata(make_raster):
    data = np.ones((3, 4, 4), np.float32)
    data[2, 1, 1] = np.nan
    out = load(make_raster('f.tif', data))
    assert out['nodata_mask'][1, 1] and out['nodata_mask'].sum() == 1
    assert not np.isnan(out['img']).any()


def test_divisor_scaling(scene):
    path, data = scene
    out = load(path, bands=[2], scale='divisor', divisor=10000.)
    expected = data[1].astype(np.float32) / 10000.
    np.testing.assert_allclose(out['img'][..., 0], expected, rtol=1e-6)


def test_percentile_scaling_ignores_nodata(scene):
    path, data = scene
    out = load(path, scale='percentile', percentiles=(2, 98))
    valid = ~out['nodata_mask']
    for c in range(5):
        band = data[c].astype(np.float64)
        lo, hi = np.percentile(band[valid], [2, 98])
        expected = np.clip((band - lo) / (hi - lo), 0, 1)
        np.testing.assert_allclose(out['img'][..., c][valid], expected[valid], atol=1e-5)
    assert out['img'].min() == 0. and out['img'].max() == 1.
    assert (out['img'][~valid] == 0).all()


def test_fixed_range_to_uint8(scene):
    path, data = scene
    ranges = [(1000, 1479), (2100, 2300)]
    out = load(path, bands=[1, 2], scale='range', value_range=ranges, out_max=255, dtype='uint8')
    assert out['img'].dtype == np.uint8
    for c, (lo, hi) in enumerate(ranges):
        expected = np.rint(np.clip((data[c].astype(float) - lo) / (hi - lo), 0, 1) * 255)
        expected[out['nodata_mask']] = 0
        np.testing.assert_array_equal(out['img'][..., c], expected)


def test_uint8_without_scaling_refuses_values_above_255(scene):
    path, _ = scene
    with pytest.raises(RasterReadError, match=r"scene\.tif has values in .*scale it first"):
        load(path, dtype='uint8')


def test_png_goes_through_opencv(tmp_path):
    img = np.random.default_rng(0).integers(0, 255, (8, 10, 3), np.uint8)
    path = str(tmp_path / 'rgb.png')
    cv2.imwrite(path, img)
    out = load(path, dtype=None)
    np.testing.assert_array_equal(out['img'], img)  # BGR, as mmcv's LoadImageFromFile
    assert not out['nodata_mask'].any() and out['img_crs'] is None
    np.testing.assert_array_equal(load(path, bands=[3], dtype=None)['img'][..., 0], img[..., 2])


def test_multi_date_paths_are_stacked_a_then_b(scene, make_raster):
    path, data = scene
    other = make_raster('b.tif', (data[:2] + 1).astype(np.uint16))
    out = load([path, other], bands=[1, 2], dtype=None)
    assert out['img'].shape == (20, 24, 4)
    np.testing.assert_array_equal(out['img'][..., 2:], (data[:2] + 1).transpose(1, 2, 0))
    assert out['nodata_mask'][0, 0]


def test_multi_date_size_mismatch_names_both(scene, make_raster):
    path, _ = scene
    small = make_raster('small.tif', np.ones((5, 10, 10), np.uint16))
    with pytest.raises(RasterReadError, match=r'scene\.tif is \(20, 24\) but .*small\.tif is'):
        load([path, small])


# ---------------------------------------------------------------- errors


def test_fewer_bands_than_asked(scene):
    path, _ = scene
    with pytest.raises(RasterReadError) as e:
        load(path, bands=[1, 2, 6])
    msg = str(e.value)
    assert path in msg and 'has 5 band(s)' in msg and 'expected at least 6 bands' in msg


def test_unknown_band_name(scene):
    path, _ = scene
    with pytest.raises(RasterReadError, match=r"has no band named 'B08'.*'blue'"):
        load(path, bands=['B08'])


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='image file not found: .*nope.tif'):
        load(str(tmp_path / 'nope.tif'))


@pytest.mark.parametrize('name,content', [('notes.txt', b'not an image'),
                                          ('fake.tif', b'hello, no TIFF here'),
                                          ('corrupt.tif', b'II*\x00' + b'\xff' * 64)])
def test_unreadable_or_non_raster_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RasterReadError) as e:
        load(str(path))
    assert str(path) in str(e.value) and 'expected a GDAL raster' in str(e.value)
    assert e.value.__cause__ is None and e.value.__suppress_context__  # one error, no chain


def test_corrupt_png(tmp_path):
    path = tmp_path / 'broken.png'
    path.write_bytes(b'\x89PNG\r\n\x1a\n garbage')
    with pytest.raises(RasterReadError, match=r'cannot decode .*broken\.png'):
        load(str(path))


@pytest.mark.parametrize('kwargs,match', [
    (dict(scale='log'), 'scale must be one of'),
    (dict(scale='divisor'), 'needs a non-zero divisor'),
    (dict(scale='range'), 'needs value_range'),
    (dict(bands=[0]), 'neither a 1-based index'),
    (dict(dtype='int16'), 'dtype must be'),
])
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LoadRSImageFromFile(**kwargs)


# ---------------------------------------------------------------- pipelines of every library


def test_registered_in_every_library():
    from mmdet.registry import TRANSFORMS as DET
    from mmpretrain.registry import TRANSFORMS as PRE
    from mmseg.registry import TRANSFORMS as SEG
    for registry in (PRE, SEG, DET):
        assert registry.get('LoadRSImageFromFile') is LoadRSImageFromFile


def test_classification_pipeline(scene):
    path, _ = scene
    init_default_scope('mmpretrain')
    from mmpretrain.registry import TRANSFORMS
    pipeline = Compose([TRANSFORMS.build(t) for t in [
        dict(type='LoadRSImageFromFile', bands=[1, 2, 3, 4], scale='divisor', divisor=1e4),
        dict(type='RandomCrop', crop_size=16), dict(type='PackInputs')]])
    out = pipeline(dict(img_path=path, gt_label=1))
    assert out['inputs'].shape == (4, 16, 16) and out['inputs'].dtype == torch.float32


def test_segmentation_pipeline(scene, tmp_path):
    path, _ = scene
    seg = tmp_path / 'seg.png'
    cv2.imwrite(str(seg), np.arange(20 * 24).reshape(20, 24).astype(np.uint8) % 3)
    init_default_scope('mmseg')
    from mmseg.registry import TRANSFORMS
    pipeline = Compose([TRANSFORMS.build(t) for t in [
        dict(type='LoadRSImageFromFile', scale='percentile'),
        dict(type='LoadAnnotations'),
        dict(type='RandomFlip', prob=1.0),
        dict(type='PackSegInputs')]])
    out = pipeline(dict(img_path=path, seg_map_path=str(seg), reduce_zero_label=False,
                        seg_fields=[]))
    assert out['inputs'].shape == (5, 20, 24)
    assert out['data_samples'].gt_sem_seg.data.shape == (1, 20, 24)
    assert out['data_samples'].ori_shape == (20, 24)


def test_detection_pipeline(scene):
    path, _ = scene
    init_default_scope('mmdet')
    from mmdet.registry import TRANSFORMS
    pipeline = Compose([TRANSFORMS.build(t) for t in [
        dict(type='LoadRSImageFromFile', bands=['red', 'green', 'blue', 'nir'], scale='divisor',
             divisor=1e4),
        dict(type='LoadAnnotations', with_bbox=True),
        dict(type='Resize', scale=(48, 40), keep_ratio=True),
        dict(type='PackDetInputs')]])
    instances = [dict(bbox=[2, 3, 10, 12], bbox_label=0, ignore_flag=0)]
    out = pipeline(dict(img_path=path, instances=instances))
    assert out['inputs'].shape == (4, 40, 48)
    np.testing.assert_allclose(out['data_samples'].gt_instances.bboxes.tensor[0].numpy(),
                               [4, 6, 20, 24])


def test_cmid_two_views_on_n_bands(scene):
    path, _ = scene
    from mmpretrain.registry import TRANSFORMS
    pipeline = Compose([TRANSFORMS.build(t) for t in [
        dict(type='LoadRSImageFromFile', scale='percentile', out_max=255, dtype='uint8'),
        dict(type='CMIDTwoViews', img_size=32, mask_patch_size=16, allow_upsample=True,
             view_pipelines=[[], [
            dict(type='RandomGaussianNoise', prob=1.0, max_value=255.),
            dict(type='Solarize', thr=128, prob=1.0)]])]])
    out = pipeline(dict(img_path=path))
    assert [v.shape for v in out['img']] == [(32, 32, 5), (32, 32, 5)]
    assert all(v.dtype == np.uint8 for v in out['img'])


def test_window_read_matches_full_read(scene):
    """What the tiled tools rely on: a window read with the scene's stretch equals the crop of
    the full read."""
    from rasterio.windows import Window
    path, _ = scene
    loader = LoadRSImageFromFile(scale='percentile')
    full = loader(dict(img_path=path))
    with loader.open(path) as src:
        vr = loader.scene_value_range(src)
        part, mask = loader.read(src, Window(5, 4, 10, 8), vr)
    np.testing.assert_allclose(part, full['img'][4:12, 5:15], atol=1e-6)
    np.testing.assert_array_equal(mask, full['nodata_mask'][4:12, 5:15])
