"""cmid_mm.datasets.band_statistics (and tools/analysis_tools/band_stats.py over it): exact mean/std,
percentiles, nodata, config mode, errors."""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from cmid_mm.datasets import band_stats, band_statistics

from ..fakes.rasters import write_raster

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture
def uint16_rasters(tmp_path):
    """Two 3-band uint16 rasters of different sizes with nodata 0 pixels, in a sub-folder."""
    rng = np.random.default_rng(0)
    folder = tmp_path / 'rasters' / 'sub'
    folder.mkdir(parents=True)
    arrays = []
    for i, shape in enumerate([(3, 30, 40), (3, 17, 23)]):
        a = rng.integers(1, 12000, shape).astype(np.uint16)
        a[1, 3, 4] = 0
        a[:, -1, -1] = 0
        write_raster(folder / f'r{i}.tif', a, nodata=0)
        arrays.append(a)
    return tmp_path / 'rasters', arrays


def valid_pixels(arrays, bands=(0, 1, 2)):
    """(bands, N) float64 pixels where none of ``bands`` is nodata (0)."""
    return np.concatenate([a[list(bands)].reshape(len(bands), -1)[
        :, (a[list(bands)] != 0).all(0).ravel()] for a in arrays], 1).astype(np.float64)


def run(*sources, **kwargs):
    """The statistics as the tool writes them (through JSON)."""
    return json.loads(json.dumps(band_statistics([str(s) for s in sources], **kwargs)))


def test_integer_data_exact(uint16_rasters, tmp_path, monkeypatch):
    folder, arrays = uint16_rasters
    pixels = valid_pixels(arrays)
    monkeypatch.setattr(band_stats, 'STRIP_PIXELS', 100)  # several row strips per raster
    stats = run(folder, percentiles=[1, 50, 99])
    assert stats['num_images'] == 2 and stats['num_pixels'] == pixels.shape[1]
    np.testing.assert_allclose(stats['mean'], pixels.mean(1), rtol=1e-9)
    np.testing.assert_allclose(stats['std'], pixels.std(1), rtol=1e-6)
    np.testing.assert_allclose(stats['data_preprocessor']['mean'], pixels.mean(1), atol=1e-4)
    for q in (1, 50, 99):
        np.testing.assert_array_equal(
            stats['percentiles'][str(q)],
            np.percentile(pixels, q, axis=1, method='inverted_cdf'))
    assert stats['percentile_method'].startswith('exact')
    assert stats['min'] == list(pixels.min(1)) and stats['max'] == list(pixels.max(1))


def test_band_selection_and_divisor(uint16_rasters, tmp_path):
    folder, arrays = uint16_rasters
    pixels = valid_pixels(arrays, bands=(2, 0))  # band 2's nodata pixel counts here
    stats = run(folder, bands=[3, 1], divisor=10000)
    np.testing.assert_allclose(stats['mean'], pixels.mean(1) / 1e4, rtol=1e-6)
    assert 'reservoir' in stats['percentile_method']  # float data after the divisor
    # fewer pixels than the reservoir: the sample is every pixel, the percentiles exact
    np.testing.assert_allclose(stats['percentiles']['50'],
                               np.percentile(pixels.astype(np.float32) / 1e4, 50, axis=1),
                               rtol=1e-6)


def test_reservoir_estimates_percentiles(tmp_path):
    data = np.random.default_rng(1).random((1, 200, 200)).astype(np.float32)
    write_raster(tmp_path / 'f.tif', data)
    stats = run(tmp_path / 'f.tif', reservoir=4000, percentiles=[10, 50, 90])
    assert '4000 pixels' in stats['percentile_method']
    for q in (10, 50, 90):  # uniform [0, 1): sampling error of 4000 values is ~0.005
        assert abs(stats['percentiles'][str(q)][0] - q / 100) < 0.03
    np.testing.assert_allclose(stats['mean'], [data.mean()], rtol=1e-5)  # mean stays exact


def test_config_mode_uses_the_pipeline_loader(uint16_rasters, tmp_path):
    folder, arrays = uint16_rasters
    pixels = valid_pixels(arrays, bands=(1, ))
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(f"""
default_scope = 'mmpretrain'
train_dataloader = dict(dataset=dict(
    type='UnlabeledRSDataset', data_root={str(folder)!r},
    pipeline=[dict(type='LoadRSImageFromFile', bands=[2], scale='divisor', divisor=100.),
              dict(type='RandomFlip', prob=1.0)]))
""")
    stats = run(cfg)
    assert stats['bands'] == 1 and stats['num_images'] == 2
    np.testing.assert_allclose(stats['mean'], [pixels[0].mean() / 100], rtol=1e-6)


def test_errors(uint16_rasters, tmp_path):
    folder, _ = uint16_rasters
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no image .* found'):
        run(tmp_path / 'empty')
    with pytest.raises(FileNotFoundError, match='no such file or folder: .*missing'):
        run(tmp_path / 'missing')
    write_raster(folder / 'sub' / 'r9_two_bands.tif', np.ones((2, 5, 5), np.uint16))
    with pytest.raises(ValueError, match=r'r9_two_bands\.tif gives 2 band\(s\) of uint16, but the '
                                         r'images before it gave 3'):
        run(folder)
    with pytest.raises(ValueError, match=r'r9_two_bands\.tif has 2 band\(s\), but bands=\[3\]'):
        run(folder, bands=[3])


def test_command_line(uint16_rasters, tmp_path):
    folder, arrays = uint16_rasters

    def cli(*args):
        return subprocess.run([sys.executable, 'tools/analysis_tools/band_stats.py', *map(str, args),
                               '--out', str(tmp_path / 'stats.json')], cwd=REPO,
                              capture_output=True, text=True, timeout=300)

    proc = cli(folder, '--bands', 2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(tmp_path / 'stats.json') as f:
        assert json.load(f) == run(folder, bands=[2])
    assert f'written: {tmp_path / "stats.json"}' in proc.stdout
    assert 'data_preprocessor: mean=[' in proc.stdout
    proc = cli(tmp_path / 'missing')
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f'error: no such file or folder: {tmp_path / "missing"}']
