"""cmid_mm.apis.SceneInferencer (and tools/infer_scene.py over it): tiled map == whole-scene map
for a fully convolutional model, georeferencing, nodata, change detection pairs, the test
pipeline's resize, errors."""
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
import rasterio
import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from cmid_mm.apis import SceneInferencer
from cmid_mm.apis.scene_inference import find_reader
from cmid_mm.datasets.transforms import LoadRSImageFromFile

from ..fakes.rasters import write_raster

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CLASSES = ('a', 'b', 'c')
PALETTE = [[255, 0, 0], [0, 255, 0], [0, 0, 255]]


@MODELS.register_module(name='InferSceneTestFCN', force=True)
class InferSceneTestFCN(BaseModule):
    """Two 3x3 convs, stride 1: fully convolutional, receptive field reaches 2 px."""

    def __init__(self, in_channels, channels=8):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(in_channels, channels, 3, padding=1), nn.ReLU(),
                                 nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU())

    def forward(self, x):
        return (self.net(x), )


CONFIG = """
default_scope = 'mmseg'
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(type='SegDataPreProcessor', mean={mean}, std={std}, bgr_to_rgb=False),
    backbone=dict(type='InferSceneTestFCN', in_channels={bands}),
    decode_head=dict(type='FCNHead', in_channels=8, channels=8, num_convs=0, concat_input=False,
                     num_classes=3, in_index=-1, dropout_ratio=0.),
    test_cfg=dict(mode='whole'))
test_pipeline = [dict(type='LoadRSImageFromFile', scale='divisor', divisor=1000.)]
"""


def infer(cfg, ckpt, img, out, img_b=None, probs=False, **kwargs):
    """What tools/infer_scene.py writes: the map (+ probabilities) and the default preview."""
    inferencer = SceneInferencer(cfg, ckpt, 'cpu', **kwargs)
    return inferencer.write(img, out, img_b, probs, preview=osp.splitext(out)[0] + '.png')


def make_model(tmp_path, bands):
    """Config file + checkpoint of a random test model; returns (config, checkpoint, model)."""
    cfg = tmp_path / f'fcn_{bands}.py'
    cfg.write_text(CONFIG.format(mean=[5.] * bands, std=[2.] * bands, bands=bands))
    init_default_scope('mmseg')
    torch.manual_seed(0)
    from mmengine.config import Config
    model = MODELS.build(Config.fromfile(str(cfg)).model)
    model.eval()
    ckpt = tmp_path / f'fcn_{bands}.pth'
    torch.save({'state_dict': model.state_dict(),
                'meta': {'dataset_meta': {'classes': CLASSES, 'palette': PALETTE}}}, ckpt)
    return str(cfg), str(ckpt), model


@torch.no_grad()
def whole_scene_probs(model, paths):
    """The model on the whole scene at once (no tiling): (K, H, W) probabilities."""
    img = LoadRSImageFromFile(scale='divisor', divisor=1000.)(dict(img_path=paths))['img']
    data = model.data_preprocessor(dict(inputs=[torch.from_numpy(img.transpose(2, 0, 1))]),
                                   False)
    x = data['inputs']
    meta = dict(img_shape=x.shape[-2:], ori_shape=x.shape[-2:])
    return model.inference(x, [meta])[0].softmax(0).numpy()


def scene_data(shape, bands=4, seed=0):
    return np.random.default_rng(seed).integers(1, 20000, (bands, *shape)).astype(np.uint16)


@pytest.mark.parametrize('shape', [(100, 130), (40, 130)])  # 2nd: one tile row only
def test_tiled_map_equals_whole_scene(tmp_path, shape):
    cfg, ckpt, model = make_model(tmp_path, 4)
    scene = write_raster(tmp_path / 'scene.tif', scene_data(shape))
    out = str(tmp_path / 'out' / 'map.tif')
    infer(cfg, ckpt, scene, out, probs=True, tile=48, overlap=16, margin=4, batch_size=3)
    expected = whole_scene_probs(model, scene)
    with rasterio.open(out) as m, rasterio.open(out[:-4] + '_probs.tif') as p, \
            rasterio.open(scene) as src:
        for dst in (m, p):  # georeferencing of the input
            assert dst.crs == src.crs and dst.transform == src.transform
            assert (dst.width, dst.height) == (src.width, src.height)
        probs, cls = p.read(), m.read(1)
        assert m.tags()['classes'] == 'a,b,c' and m.colormap(1)[1][:3] == (0, 255, 0)
    np.testing.assert_allclose(probs, expected, atol=1e-5)
    np.testing.assert_array_equal(cls, expected.argmax(0))
    preview = cv2.imread(out[:-4] + '.png')
    assert preview.shape == (*shape, 3)
    np.testing.assert_array_equal(preview[0, 0, ::-1], PALETTE[cls[0, 0]])


def test_blending_margin_matters(tmp_path):
    """Without the margin, tile borders (zero padding) leak in: the test above is not trivial."""
    cfg, ckpt, model = make_model(tmp_path, 4)
    scene = write_raster(tmp_path / 'scene.tif', scene_data((100, 130)))
    out = str(tmp_path / 'map.tif')
    infer(cfg, ckpt, scene, out, probs=True, tile=48, overlap=16, margin=0)
    with rasterio.open(out[:-4] + '_probs.tif') as p:
        diff = np.abs(p.read() - whole_scene_probs(model, scene)).max()
    assert diff > 1e-3


def test_nodata_pixels_and_empty_tiles(tmp_path):
    cfg, ckpt, _ = make_model(tmp_path, 4)
    data = scene_data((100, 130))
    data[:, :60, :60] = 0  # covers whole tiles (skipped) and parts of others
    data[2, 80, 100] = 0
    scene = write_raster(tmp_path / 'scene.tif', data, nodata=0)
    out = str(tmp_path / 'map.tif')
    infer(cfg, ckpt, scene, out, probs=True, tile=32, overlap=8)
    with rasterio.open(out) as m, rasterio.open(out[:-4] + '_probs.tif') as p:
        cls, probs = m.read(1), p.read()
        assert m.nodata == 255
    nodata = (data == 0).any(0)
    assert (cls[nodata] == 255).all() and (cls[~nodata] < 3).all()
    assert np.isnan(probs[:, nodata]).all() and not np.isnan(probs[:, ~nodata]).any()


def test_change_detection_pair(tmp_path):
    cfg, ckpt, model = make_model(tmp_path, 4)  # 2 bands per date -> 4 input channels
    a = write_raster(tmp_path / 'a.tif', scene_data((70, 90), bands=2, seed=1))
    b = write_raster(tmp_path / 'b.tif', scene_data((70, 90), bands=2, seed=2))
    out = str(tmp_path / 'change.tif')
    infer(cfg, ckpt, a, out, b, probs=True, tile=32, overlap=12, margin=3)
    with rasterio.open(out[:-4] + '_probs.tif') as p:
        np.testing.assert_allclose(p.read(), whole_scene_probs(model, [a, b]), atol=1e-5)


def test_change_detection_grid_mismatch_names_both(tmp_path):
    from rasterio.transform import from_origin
    cfg, ckpt, _ = make_model(tmp_path, 4)
    a = write_raster(tmp_path / 'a.tif', scene_data((40, 40), bands=2))
    b = write_raster(tmp_path / 'b.tif', scene_data((40, 40), bands=2),
                     transform=from_origin(0., 100., 10., 10.))
    with pytest.raises(ValueError, match=r'share size, CRS and geotransform: .*a\.tif is 40x40 '
                                         r'.*b\.tif is 40x40'):
        infer(cfg, ckpt, a, str(tmp_path / 'x.tif'), b)


def test_errors(tmp_path):
    cfg, ckpt, _ = make_model(tmp_path, 4)
    three = write_raster(tmp_path / 'three.tif', scene_data((20, 20), bands=3))
    out = str(tmp_path / 'x.tif')
    with pytest.raises(ValueError, match=r"band count .* against the model's in_channels"):
        infer(cfg, ckpt, three, out)
    with pytest.raises(ValueError, match=r'three\.tif has 3 band\(s\), but bands=\[1, 2, 3, 4\]'):
        infer(cfg, ckpt, three, out, bands=[1, 2, 3, 4])
    text = tmp_path / 'scene.tif'
    text.write_text('not a raster')
    with pytest.raises(ValueError, match=r'cannot read .*scene\.tif: expected a GDAL raster'):
        infer(cfg, ckpt, str(text), out)
    with pytest.raises(ValueError, match='need 0 <= 2 \\* margin <= overlap'):
        infer(cfg, ckpt, three, out, overlap=8, margin=5)
    with pytest.raises(ValueError, match='checkpoint not found'):
        infer(cfg, str(tmp_path / 'no.pth'), three, out)


def test_loader_found_nested_in_a_pair_loader():
    """Change-detection pipelines wrap the single-image loader (LoadImagePairFromFile)."""
    from mmengine.config import Config
    pipeline = [dict(type='LoadImagePairFromFile', loader=dict(
        type='LoadRSImageFromFile', bands=[3, 2, 1], scale='divisor', divisor=10.)),
        dict(type='PackSegInputs')]
    cfg = Config(dict(test_dataloader=dict(dataset=dict(pipeline=pipeline))))
    reader = find_reader(cfg, None)
    assert reader.rs.bands == [3, 2, 1] and reader.rs.divisor == 10.
    assert find_reader(cfg, [1]).rs.bands == [1]  # --bands overrides
    default = Config(dict(test_pipeline=[dict(type='LoadImagePairFromFile')]))
    assert find_reader(default).name == 'LoadImageFromFile'  # the pair's default


def test_config_without_or_with_an_unknown_loader(tmp_path):
    cfg, ckpt, _ = make_model(tmp_path, 4)
    scene = write_raster(tmp_path / 'scene.tif', scene_data((20, 20)))
    for pipeline, match in [('[]', 'no image loading transform'),
                            ("[dict(type='LoadImageFromNDArray')]",
                             r'^LoadImageFromNDArray: .* use one of LoadImageFromFile')]:
        text = open(cfg).read().replace(
            "[dict(type='LoadRSImageFromFile', scale='divisor', divisor=1000.)]", pipeline)
        bad = tmp_path / 'bad.py'
        bad.write_text(text)
        with pytest.raises(ValueError, match=match):
            infer(str(bad), ckpt, scene, str(tmp_path / 'x.tif'))


# ------------------------------------------------------------------ shipped RGB configs
RGB_SEG_CONFIG = osp.join(REPO, 'configs', 'segmentation',
                          'upernet_cmid-resnet18_1xb8-150i_landsat-landcover-demo.py')
RGB_CD_CONFIG = osp.join(REPO, 'configs', 'change_detection',
                         'bit_cmid-resnet18_1xb8-adamw-120i_neon-synthetic-cd-demo.py')


def rgb_scene(seed, size=128):
    """uint8 R, G, B with very different content: a swap of R and B changes what a model sees."""
    yy, xx = np.mgrid[:size, :size]
    noise = np.random.default_rng(seed).integers(0, 256, (size, size))
    r = (xx * 2 + 40 * np.sin(yy / 5.)) % 256
    b = 255 - (yy * 2) % 256
    return np.stack([r, noise, b]).clip(0, 255).astype(np.uint8)


def random_checkpoint(config, tmp_path):
    """The config's model with random weights (no init_cfg checkpoint read) and its checkpoint."""
    from cmid_mm.utils import load_config
    cfg = load_config(config)
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    ckpt = str(tmp_path / 'random.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    return cfg, model, ckpt


@torch.no_grad()
def pipeline_result(pipeline, model, **paths):
    """What ``tools/test.py`` gives: ``pipeline``, then ``test_step``: the data sample."""
    from mmengine.dataset import Compose, pseudo_collate
    init_default_scope('mmseg')
    results = Compose(pipeline)(dict(reduce_zero_label=False, seg_fields=[], **paths))
    return model.test_step(pseudo_collate([results]))[0]


def pipeline_map(cfg, model, **paths):
    """What ``tools/test.py`` predicts: the config's own test pipeline, then ``test_step``."""
    return pipeline_result(cfg.test_dataloader.dataset.pipeline, model,
                           **paths).pred_sem_seg.data[0].numpy()


def read_map(path):
    with rasterio.open(path) as src:
        return src.read(1)


def label_png(tmp_path):
    path = str(tmp_path / 'label.png')
    cv2.imwrite(path, np.zeros((128, 128), np.uint8))
    return path


def test_rgb_segmentation_config_reads_like_its_test_pipeline(tmp_path):
    """LoadImageFromFile + bgr_to_rgb=True (the shipped RGB configs): the scene map is the map
    of the same image through the config's test pipeline, i.e. the model sees R, G, B."""
    cfg, model, ckpt = random_checkpoint(RGB_SEG_CONFIG, tmp_path)
    data = rgb_scene(0)
    scene = write_raster(tmp_path / 'scene.tif', data)
    out = str(tmp_path / 'map.tif')
    # its Resize(scale=(128, 128)) leaves a 128 px image as it is: a scale factor of 1
    infer(RGB_SEG_CONFIG, ckpt, scene, out, tile=128, overlap=0, scale_factor=1)
    expected = pipeline_map(cfg, model, img_path=scene, seg_map_path=label_png(tmp_path))
    swapped = write_raster(tmp_path / 'swapped.tif', data[::-1].copy())
    wrong = pipeline_map(cfg, model, img_path=swapped, seg_map_path=label_png(tmp_path))
    assert (wrong != expected).sum() > 100  # a red/blue swap changes the map (3 % here)
    np.testing.assert_array_equal(read_map(out), expected)


def test_rgb_change_detection_config_reads_like_its_test_pipeline(tmp_path):
    """The NEON demo's LoadImagePairFromFile (default LoadImageFromFile per date) on two dates."""
    cfg, model, ckpt = random_checkpoint(RGB_CD_CONFIG, tmp_path)
    a = write_raster(tmp_path / 'a.tif', rgb_scene(1))
    b = write_raster(tmp_path / 'b.tif', rgb_scene(2)[:, ::-1].copy())
    out = str(tmp_path / 'change.tif')
    infer(RGB_CD_CONFIG, ckpt, a, out, b, tile=128, overlap=0)
    expected = pipeline_map(cfg, model, img_path=a, img_path2=b,
                                 seg_map_path=label_png(tmp_path))
    np.testing.assert_array_equal(read_map(out), expected)


# ------------------------------------------------------------------ the API and the CLI
def test_predict_returns_what_write_writes(tmp_path):
    cfg, ckpt, _ = make_model(tmp_path, 4)
    data = scene_data((50, 70))
    data[:, :10, :10] = 0
    scene = write_raster(tmp_path / 'scene.tif', data, nodata=0)
    out = str(tmp_path / 'map.tif')
    inferencer = SceneInferencer(cfg, ckpt, 'cpu', tile=32, overlap=8)
    cls, probs = inferencer.predict(scene)
    assert inferencer.write(scene, out, probs=True) == dict(
        width=70, height=50, num_classes=3, files=[out, out[:-4] + '_probs.tif'])
    np.testing.assert_array_equal(cls, read_map(out))
    with rasterio.open(out[:-4] + '_probs.tif') as p:
        np.testing.assert_array_equal(probs, p.read())
    from mmengine.config import Config
    loaded = Config.fromfile(cfg)  # a loaded config, its overrides checked as from a file
    same = SceneInferencer(loaded, ckpt, 'cpu', tile=32, overlap=8,
                           cfg_options={'model.test_cfg.mode': 'whole'})
    np.testing.assert_array_equal(same.predict(scene)[0], cls)
    with pytest.raises(ValueError, match="unknown --cfg-options key 'model.test_cfg.mdoe'"):
        SceneInferencer(loaded, ckpt, 'cpu', cfg_options={'model.test_cfg.mdoe': 'whole'})


def resize_config(tmp_path, resize):
    """The test model's config with ``resize`` after its loader."""
    cfg, ckpt, model = make_model(tmp_path, 4)
    text = open(cfg).read().replace(
        "divisor=1000.)]", f"divisor=1000.), {resize}, dict(type='PackSegInputs')]")
    path = tmp_path / 'resized.py'
    path.write_text(text)
    return str(path), ckpt, model


def test_test_pipeline_resize_is_mirrored(tmp_path):
    """A model tested on 2x upsampled images sees the scene's tiles upsampled 2x, and its class
    scores come back to the scene's pixels, as mmseg's test_step does on the whole scene."""
    cfg, ckpt, model = resize_config(tmp_path, "dict(type='Resize', scale_factor=2.0, "
                                     'keep_ratio=True)')
    scene = write_raster(tmp_path / 'scene.tif', scene_data((60, 90)))
    out = str(tmp_path / 'map.tif')
    infer(cfg, ckpt, scene, out, probs=True, tile=48, overlap=16, margin=4)
    from mmengine.config import Config
    expected = pipeline_result(Config.fromfile(cfg).test_pipeline, model,
                               img_path=scene).seg_logits.data.softmax(0).numpy()
    with rasterio.open(out[:-4] + '_probs.tif') as p:
        np.testing.assert_allclose(p.read(), expected, atol=1e-4)
    native = str(tmp_path / 'native.tif')  # without the resize the model sees another scale
    infer(cfg.replace('resized', 'fcn_4'), ckpt, scene, native, probs=True, tile=48, overlap=16,
          margin=4)
    with rasterio.open(native[:-4] + '_probs.tif') as p:
        assert np.abs(p.read() - expected).max() > 1e-3


def test_resize_to_a_fixed_size_needs_the_factor(tmp_path):
    cfg, ckpt, _ = resize_config(tmp_path, "dict(type='Resize', scale=(128, 128), "
                                 'keep_ratio=True)')
    with pytest.raises(ValueError, match=r'resizes its images \(Resize\(scale=\(128, 128\), '
                                         r'keep_ratio=True\)\).* give the factor'):
        SceneInferencer(cfg, ckpt, 'cpu')
    assert SceneInferencer(cfg, ckpt, 'cpu', scale_factor=2).scale_factor == 2


def test_command_line(tmp_path):
    _, _, ckpt = random_checkpoint(RGB_SEG_CONFIG, tmp_path)
    scene = write_raster(tmp_path / 'scene.tif', rgb_scene(0))
    out = str(tmp_path / 'map.tif')

    def cli(*args):
        return subprocess.run([sys.executable, 'tools/infer_scene.py', RGB_SEG_CONFIG, ckpt,
                               scene, '--out', out, '--device', 'cpu', *args], cwd=REPO,
                              capture_output=True, text=True, timeout=300)

    proc = cli('--tile', '128', '--overlap', '0', '--scale-factor', '1', '--probs')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == (f'128x128 px, 7 classes -> {out}, {out[:-4]}_probs.tif, '
                                   f'preview {out[:-4]}.png')
    assert osp.isfile(out[:-4] + '.png')
    for args, message in [(('--overlap', '8', '--margin', '5'),
                           'need 0 <= 2 * margin <= overlap, got margin=5, overlap=8'),
                          ((), 'the test pipeline resizes its images (Resize(scale=(128, 128), '
                               'keep_ratio=True)), by a factor that depends on their size: give '
                               'the factor')]:
        proc = cli(*args)
        assert proc.returncode == 2, proc.stderr[-3000:]
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f'error: {message}'), lines
