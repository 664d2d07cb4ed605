"""RasterReader: any window of a raster == that part of what the config's loader reads."""
import cv2
import numpy as np
import pytest
from mmcv.transforms import TRANSFORMS
from rasterio.windows import Window

import cmid_mm  # noqa: F401  registers the transforms
from cmid_mm.datasets.transforms import (LoadRSImageFromFile, RasterReadError, RasterReader,
                                         find_image_loader)

from ..fakes.rasters import write_raster

WINDOW = Window(5, 3, 17, 11)  # col_off, row_off, width, height
ROWS, COLS = WINDOW.toslices()


def data_of(dtype, bands, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == 'float32':
        return (rng.random((bands, 24, 30)) * 300).astype(np.float32)
    return rng.integers(0, np.iinfo(dtype).max, (bands, 24, 30)).astype(dtype)


def loader_image(loader, path):
    """What the transform itself gives for the whole file, as (H, W, C)."""
    img = TRANSFORMS.build(dict(loader))(dict(img_path=path))['img']
    return img if img.ndim == 3 else img[..., None]


def window_of(loader, path, bands=None):
    with RasterReader(loader, bands).open(path) as src:
        return src.read(WINDOW)[0]


LOADERS = [dict(type='LoadImageFromFile'),
           dict(type='LoadImageFromFile', to_float32=True),
           dict(type='LoadImageFromFile', color_type='grayscale'),
           dict(type='LoadImageFromFile', color_type='unchanged'),
           dict(type='CheckedLoadImageFromFile'),
           dict(type='CheckedLoadImageFromFile', expected_channels=3),
           dict(type='CheckedLoadImageFromFile', expected_channels=1)]
# what each loader reads exactly: (dtype, band count) that must be accepted
ACCEPTS = {0: {('uint8', 1), ('uint8', 3)}, 1: {('uint8', 1), ('uint8', 3)},
           2: {('uint8', 1)},
           3: {(d, n) for d in ('uint8', 'uint16', 'float32') for n in (1, 3)},
           4: {('uint8', 1), ('uint8', 3)},
           5: {(d, 3) for d in ('uint8', 'uint16', 'float32')},
           6: {(d, 1) for d in ('uint8', 'uint16', 'float32')}}


@pytest.mark.parametrize('i', range(len(LOADERS)))
@pytest.mark.parametrize('dtype', ['uint8', 'uint16', 'float32'])
@pytest.mark.parametrize('bands', [1, 2, 3, 4, 6])
def test_mmcv_loaders_mirrored_or_refused(tmp_path, i, dtype, bands):
    """Each (loader, dtype, band count): the window equals the loader's own read (OpenCV decoding
    the same GeoTIFF: BGR for RGB), or the reader refuses in one line naming the loader."""
    loader = LOADERS[i]
    # 3 bands tagged R, G, B (OpenCV reads an untagged 3-band TIFF as one band or grey)
    path = write_raster(tmp_path / 'scene.tif', data_of(dtype, bands),
                        **(dict(photometric='RGB') if bands == 3 else {}))
    if (dtype, bands) not in ACCEPTS[i]:
        with pytest.raises(RasterReadError, match=f'^{loader["type"]}\\(.*cannot be mirrored '
                                                  r'on .*scene\.tif'):
            window_of(loader, path)
        return
    got = window_of(loader, path)
    expected = loader_image(loader, path)[ROWS, COLS]
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_rgb_scene_is_read_as_bgr(make_raster):
    data = data_of('uint8', 3)
    path = make_raster('rgb.tif', data)
    got = window_of(dict(type='LoadImageFromFile'), path)
    np.testing.assert_array_equal(got, data[::-1, ROWS, COLS].transpose(1, 2, 0))


def test_bands_pick_an_rgb_file_out_of_more_bands(make_raster):
    """--bands 1 2 3 on an R, G, B, NIR scene: read as the RGB file would be (B, G, R)."""
    data = data_of('uint8', 4)
    path = make_raster('rgbn.tif', data)
    got = window_of(dict(type='LoadImageFromFile'), path, bands=[1, 2, 3])
    np.testing.assert_array_equal(got, data[[2, 1, 0]][:, ROWS, COLS].transpose(1, 2, 0))
    with pytest.raises(RasterReadError, match=r'rgbn\.tif has 4 band\(s\), but bands=\[5\]'):
        window_of(dict(type='LoadImageFromFile'), path, bands=[5])


@pytest.mark.parametrize('loader', [dict(type='LoadImageFromFile'),
                                    dict(type='LoadImageFromFile', color_type='unchanged'),
                                    dict(type='LoadRSImageFromFile', scale='percentile')])
def test_opencv_files_are_decoded_by_the_loader_itself(tmp_path, loader):
    img = np.random.default_rng(0).integers(0, 256, (24, 30, 3), dtype=np.uint8)
    path = str(tmp_path / 'scene.png')
    cv2.imwrite(path, img)
    with RasterReader(loader).open(path) as src:
        assert (src.width, src.height) == (30, 24)
        got = src.read(WINDOW)[0]
    if loader['type'] == 'LoadRSImageFromFile':
        expected = LoadRSImageFromFile(scale='percentile')(dict(img_path=path))['img']
    else:
        expected = loader_image(loader, path)
    np.testing.assert_array_equal(got, expected[ROWS, COLS])


def test_load_rs_image_window_equals_the_transform(make_raster):
    data = data_of('uint16', 5)
    path = make_raster('ms.tif', data, descriptions=['B1', 'B2', 'B3', 'B4', 'B5'])
    loader = dict(type='LoadRSImageFromFile', bands=['B4', 2], scale='divisor', divisor=100.)
    got = window_of(loader, path)
    expected = LoadRSImageFromFile(bands=['B4', 2], scale='divisor',
                                   divisor=100.)(dict(img_path=path))['img']
    np.testing.assert_array_equal(got, expected[ROWS, COLS])
    assert window_of(loader, path, bands=[1]).shape[-1] == 1  # the override wins


def test_unsupported_loader_and_other_errors(make_raster):
    with pytest.raises(RasterReadError, match=r'^LoadImageFromNDArray: .*use one of '
                                              r'LoadImageFromFile, CheckedLoadImageFromFile'):
        RasterReader(dict(type='LoadImageFromNDArray'))
    path = make_raster('rgb.tif', data_of('uint8', 3))
    with pytest.raises(RasterReadError, match=r"imdecode_backend='cv2'"):
        window_of(dict(type='LoadImageFromFile', imdecode_backend='pillow'), path)
    with pytest.raises(RasterReadError, match=r'smaller than .*min_size=32'):
        window_of(dict(type='CheckedLoadImageFromFile', min_size=32), path)
    with pytest.raises(FileNotFoundError, match=r'^LoadImageFromFile: image file not found'):
        window_of(dict(type='LoadImageFromFile'), path[:-4] + '_missing.tif')


def test_find_image_loader():
    pair = [dict(type='LoadImagePairFromFile'), dict(type='LoadChangeLabel')]
    assert find_image_loader(pair) == dict(type='LoadImageFromFile')  # the pair's default
    nested = [dict(type='LoadImagePairFromFile', loader=dict(type='LoadRSImageFromFile',
                                                             bands=[1]))]
    assert find_image_loader(nested) == dict(type='LoadRSImageFromFile', bands=[1])
    seg = [dict(type='LoadAnnotations'), dict(type='mmseg.LoadImageFromFile', to_float32=True)]
    assert find_image_loader(seg)['to_float32'] is True
    assert find_image_loader([dict(type='PackSegInputs')]) is None
