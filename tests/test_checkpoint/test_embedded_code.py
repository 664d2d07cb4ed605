"""Strings inside a checkpoint are data: no tool that takes a checkpoint executes them.

mmengine embeds the training config as Python source (``meta['cfg']``, ``meta['config']``);
``Runner.resume`` and ``Config.fromstring`` would run it. Each tool gets a checkpoint whose
strings would create a marker file, and must work from the weights without creating it.
"""
import os.path as osp

import numpy as np
import pytest
import torch

from ..conftest import REPO_ROOT
from ..fakes.rasters import write_raster
from .conftest import assert_one_line_error, run_tool

SEG_CONFIG = osp.join(REPO_ROOT, 'configs', 'segmentation',
                      'upernet_cmid-resnet18_1xb8-150i_landsat-landcover-demo.py')


def payload(marker):
    return f"_x = __import__('os').system('touch {marker}')\nmodel = dict(type='ResNet')\n"


def poison(checkpoint: dict, marker) -> dict:
    meta = dict(checkpoint.get('meta', {}), cfg=payload(marker), config=payload(marker))
    return dict(checkpoint, meta=meta)


@pytest.fixture(scope='module')
def evil(tiny_cls, tmp_path_factory):
    """The tiny run's checkpoint with code in its config strings, and the marker it would make."""
    root = tmp_path_factory.mktemp('evil')
    marker = root / 'MARKER'
    config, work_dir = tiny_cls
    path = root / 'evil.pth'
    torch.save(poison(torch.load(work_dir / 'iter_2.pth'), marker), path)
    return dict(config=config, ckpt=path, marker=marker, root=root)


def ok(proc):
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]


def test_train_resume(evil, tmp_path):
    ok(run_tool('train.py', evil['config'], '--work-dir', tmp_path, '--resume', evil['ckpt'],
                '--cfg-options', 'train_cfg.max_iters=3'))
    assert (tmp_path / 'iter_3.pth').is_file()
    assert not evil['marker'].exists()


def test_train_load_from(evil, tmp_path):
    ok(run_tool('train.py', evil['config'], '--work-dir', tmp_path, '--cfg-options',
                f'load_from={evil["ckpt"]}'))
    assert not evil['marker'].exists()


def test_init_cfg_pretrained(evil, tmp_path):
    config = tmp_path / 'pretrained.py'
    config.write_text(f"_base_ = {str(evil['config'])!r}\nmodel = dict(backbone=dict(init_cfg="
                      f"dict(type='Pretrained', checkpoint={str(evil['ckpt'])!r}, "
                      "prefix='backbone.')))\n")
    ok(run_tool('train.py', config, '--work-dir', tmp_path / 'w'))
    assert not evil['marker'].exists()


def test_test_tool(evil, tmp_path):
    ok(run_tool('test.py', evil['config'], evil['ckpt'], '--work-dir', tmp_path))
    assert not evil['marker'].exists()


def test_knn_eval(evil):
    """The architecture comes from the weights; the embedded config is never evaluated."""
    proc = run_tool('analysis_tools/knn_eval.py', evil['config'], evil['ckpt'], '--k', '2',
                    '--bank-split', 'train', '--query-split', 'test', '--no-probe')
    ok(proc)
    assert 'backbone: ResNet (' in proc.stdout
    assert not evil['marker'].exists()


def test_extract_backbone(evil, tmp_path):
    ok(run_tool('model_converters/extract_backbone.py', evil['ckpt'], tmp_path / 'b.pth'))
    assert not evil['marker'].exists()


def test_official_converter(evil, tmp_path):
    state = torch.load(evil['ckpt'])['state_dict']
    official = {f'online_encoder.model.{k[len("backbone."):]}': v for k, v in state.items()
                if k.startswith('backbone.')}
    path = tmp_path / 'official.pth'
    torch.save(poison({'model': official, 'config': payload(evil['marker'])}, evil['marker']),
               path)
    ok(run_tool('model_converters/cmid_official_to_mm.py', path, tmp_path / 'b.pth'))
    assert not evil['marker'].exists()


def test_infer_scene(evil, tmp_path):
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS
    from cmid_mm.utils import load_config
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(load_config(SEG_CONFIG).model)
    path = tmp_path / 'seg.pth'
    torch.save(poison({'state_dict': model.state_dict(), 'meta': {}}, evil['marker']), path)
    scene = write_raster(tmp_path / 'scene.tif',
                         np.random.default_rng(0).integers(0, 255, (3, 64, 64), np.uint8))
    out = tmp_path / 'map.tif'
    ok(run_tool('infer_scene.py', SEG_CONFIG, path, scene, '--out', out, '--tile', '64',
                '--overlap', '0', '--scale-factor', '2'))
    assert out.is_file() and not evil['marker'].exists()
    # A checkpoint that does not fit the segmentor is one line, not a map from random weights.
    assert_one_line_error(run_tool('infer_scene.py', SEG_CONFIG, evil['ckpt'], scene, '--out',
                                   tmp_path / 'bad.tif', '--scale-factor', '2'),
                          'does not fit the model')
