"""tools/train.py and tools/test.py on CPU, and the --cfg-options key check they share."""
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch
from cmid_mm.utils import CLIError, check_cfg_options
from mmengine.config import Config

from ..conftest import write_tiny_classifier

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))



def run_tool(tool, *args):
    return subprocess.run([sys.executable, osp.join('tools', tool), *map(str, args)],
                          cwd=REPO,
                          capture_output=True,
                          text=True)


def assert_cli_error(proc, message):
    """rc 2 and a one-line message on stderr, no traceback."""
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [f'error: {message}']


@pytest.fixture(scope='module')
def config(tmp_path_factory):
    """A tiny mmpretrain config over a 2-class folder of 4 synthetic 32x32 images."""
    return write_tiny_classifier(tmp_path_factory.mktemp('cfg'))


@pytest.fixture(scope='module')
def trained(config, tmp_path_factory):
    """work_dir of a 2-iteration tools/train.py run."""
    work_dir = tmp_path_factory.mktemp('work')
    proc = run_tool('train.py', config, '--work-dir', work_dir)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return work_dir


def test_missing_config(tmp_path):
    path = tmp_path / 'nope.py'
    assert_cli_error(run_tool('train.py', path), f'config file not found: {path}')


def test_unknown_cfg_option_key(config):
    proc = run_tool('train.py', config, '--cfg-options', 'train_cfg.max_iter=4')
    assert_cli_error(
        proc, "unknown --cfg-options key 'train_cfg.max_iter': no 'max_iter' in train_cfg, "
        "and IterBasedTrainLoop takes no such argument (did you mean 'max_iters' or "
        "'val_interval'?)")


@pytest.mark.skipif(torch.cuda.is_available(), reason='--amp is allowed with CUDA')
def test_train_writes_checkpoint(trained):
    assert (trained / 'last_checkpoint').read_text().strip() == str(trained / 'iter_2.pth')
    assert torch.load(trained / 'iter_2.pth')['meta']['iter'] == 2


def test_resume_continues_from_last_checkpoint(config, trained):
    proc = run_tool('train.py', config, '--work-dir', trained, '--resume', '--cfg-options',
                    'train_cfg.max_iters=4')
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 2' in log
    assert 'Iter(train) [3/4]' in log and 'Iter(train) [1/4]' not in log
    assert (trained / 'last_checkpoint').read_text().strip() == str(trained / 'iter_4.pth')
    assert torch.load(trained / 'iter_4.pth')['meta']['iter'] == 4


def test_test_tool_dumps_predictions(config, trained, tmp_path):
    out = tmp_path / 'preds.pkl'
    proc = run_tool('test.py', config, trained / 'iter_2.pth', '--work-dir', tmp_path, '--out',
                    out)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'accuracy/top1' in proc.stdout + proc.stderr
    with open(out, 'rb') as f:
        assert len(pickle.load(f)) == 4


# ------------------------------------------------------------ --cfg-options key check
CFG = Config(
    dict(
        model=dict(type='ImageClassifier', backbone=dict(type='ResNet', depth=18)),
        train_cfg=dict(by_epoch=False, max_iters=2),
        train_dataloader=dict(
            dataset=dict(
                type='CustomDataset',
                pipeline=[dict(type='LoadImageFromFile'),
                          dict(type='PackInputs')]))))


@pytest.mark.parametrize('key', [
    'train_cfg.max_iters',
    'model.backbone.depth',
    'model.backbone.frozen_stages',  # new kwarg of a registry-built (typed) component
    'train_dataloader.dataset.pipeline.1.type',  # list index
    'load_from',  # new top-level key the Runner reads
])
def test_cfg_option_key_accepted(key):
    check_cfg_options(CFG, {key: 1})


@pytest.mark.parametrize('key, message', [
    ('modle.backbone.depth', "no 'modle' in the config (did you mean 'model'?)"),
    ('train_cfg.max_iter', "no 'max_iter' in train_cfg, and IterBasedTrainLoop takes no such "
     "argument (did you mean 'max_iters' or 'val_interval'?)"),
    ('train_cfg.max_iters.x', 'train_cfg.max_iters is not a dict or list (type int)'),
    ('model.backbone.init_cfg.checkpoint', "no 'init_cfg' in model.backbone"),
    ('train_dataloader.dataset.pipeline.2.type',
     "train_dataloader.dataset.pipeline is a list of length 2, '2' is not an index into it"),
    ('lod_from', "no 'lod_from' in the config (did you mean 'load_from'?)"),
])
def test_cfg_option_key_rejected(key, message):
    with pytest.raises(CLIError) as e:
        check_cfg_options(CFG, {key: 1})
    assert str(e.value) == f"unknown --cfg-options key '{key}': {message}"
