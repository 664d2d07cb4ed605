"""Every user error of tools/train.py is one ``error: ...`` line naming the key or file, exit 2.

Each run stops before the heavy work where it can (config errors, missing data, work dir: before
the Runner is built); the empty dataset and the corrupt image surface inside ``Runner.train`` on a
tiny ResNet-18.
"""
import errno
import os
import os.path as osp
import pickle
import subprocess
import sys

import cv2
import numpy as np
import pytest
from cmid_mm.checkpoint import atomic_write
from cmid_mm.utils import CLIError, check_cfg_options, run_cli
from mmengine.config import Config

from ..conftest import TINY_CLASSIFIER_CONFIG

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = 'configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py'

# The root conftest's tiny classifier, loading through CheckedLoadImageFromFile (a corrupt image
# is one line), in a fixed order, without checkpoints.
CONFIG = TINY_CLASSIFIER_CONFIG + """
dataset['pipeline'] = [dict(type='CheckedLoadImageFromFile', expected_channels=3),
                       dict(type='PackInputs')]
train_dataloader['sampler'] = dict(type='DefaultSampler', shuffle=False)
default_hooks['checkpoint'] = None
"""


def train(*args):
    return subprocess.run([sys.executable, 'tools/train.py', *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def train_in(tmp_path, config, *options):
    """``train`` with the work dir tmp_path/w and ``options`` as --cfg-options."""
    cfg_options = ('--cfg-options', *options) if options else ()
    return train(config, '--work-dir', tmp_path / 'w', *cfg_options)


def assert_one_line(proc, message):
    """rc 2 and the message alone on stderr: nothing before it, no traceback."""
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines() == [f'error: {message}'], proc.stderr[-3000:]
    assert 'Traceback' not in proc.stdout


def assert_ends_with_one_line(proc, start):
    """For errors found inside the Runner (after its environment dump on stdout): rc 2, the
    last stderr line is the error, and no traceback anywhere."""
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert 'Traceback' not in proc.stdout + proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith('error:')]
    assert len(errors) == 1 and proc.stderr.strip().splitlines()[-1] == errors[0]
    assert errors[0].startswith(f'error: {start}'), errors[0]
    return errors[0]


def make_images(root, n=2, bad=None):
    rng = np.random.default_rng(0)
    for cls in ('a', 'b'):
        os.makedirs(root / cls, exist_ok=True)
        for i in range(n):
            cv2.imwrite(str(root / cls / f'{i}.png'), rng.integers(0, 255, (32, 32, 3), np.uint8))
    if bad is not None:
        (root / 'a' / bad).write_bytes(b'')  # sorts second: in the first batch


@pytest.fixture
def config(tmp_path):
    path = tmp_path / 'tiny.py'
    path.write_text(CONFIG.format(data_root=str(tmp_path / 'data')))
    return path


def test_channels_last_on_a_model_other_than_cmid_is_one_line(tmp_path, config):
    proc = train(config, '--work-dir', tmp_path / 'w', '--channels-last')
    assert_one_line(proc, "--channels-last is for CMID pretraining; this config's model is "
                    "'ImageClassifier': train it without the flag")
    assert not (tmp_path / 'w').exists()  # refused before anything is written


# ------------------------------------------------------------ --cfg-options keys and values
def test_unknown_kwarg_of_a_registry_built_component():
    assert_one_line(
        train(DEMO, '--cfg-options', 'model.global_head.queue_lenn=4'),
        "unknown --cfg-options key 'model.global_head.queue_lenn': no 'queue_lenn' in "
        "model.global_head, and MoCoQueueHead takes no such argument (did you mean 'queue_len'?)")


def test_unknown_kwarg_of_the_train_loop(config):
    # the demo's train_cfg has type='IterBasedTrainLoop', the tiny one by_epoch=False
    for cfg in (DEMO, config):
        assert_one_line(
            train(cfg, '--cfg-options', 'train_cfg.max_iter=4'),
            "unknown --cfg-options key 'train_cfg.max_iter': no 'max_iter' in train_cfg, and "
            "IterBasedTrainLoop takes no such argument (did you mean 'max_iters' or "
            "'val_interval'?)")


def test_value_of_the_wrong_type(config):
    assert_one_line(
        train(config, '--cfg-options', 'train_cfg.max_iters=2O'),
        "bad --cfg-options value train_cfg.max_iters='2O': expected an integer (the config "
        "has 2)")


SCOPED = Config(
    dict(default_scope='mmpretrain',
         model=dict(type='ImageClassifier', backbone=dict(type='ResNet', depth=18),
                    head=dict(type='LinearClsHead', num_classes=2, in_channels=512)),
         train_cfg=dict(by_epoch=False, max_iters=2),
         val_cfg=dict(),
         train_dataloader=dict(dataset=dict(type='CustomDataset', data_root='x'))))


@pytest.mark.parametrize('options', [
    {'train_cfg.val_begin': 1},  # a loop argument not in the config
    {'train_cfg.by_epoch': True, 'train_cfg.max_epochs': 2},  # switches the loop
    {'val_cfg.fp16': True},
    {'model.backbone.frozen_stages': 1},
    {'model.head.topk': 1},
    {'model.backbone.type': 'ResNetV1c', 'model.backbone.stem_channels': 32},
    {'train_dataloader.dataset.with_label': False},
    {'train_cfg.max_iters': 4},
    {'train_cfg.max_iters': None},
])
def test_valid_options_accepted(options):
    check_cfg_options(SCOPED, options)


@pytest.mark.parametrize('options, message', [
    ({'model.backbone.frozen_stage': 1}, "no 'frozen_stage' in model.backbone, and ResNet "
     "takes no such argument (did you mean 'frozen_stages' or 'num_stages'?)"),
    ({'train_cfg.max_epochs': 2}, "no 'max_epochs' in train_cfg, and IterBasedTrainLoop takes "
     "no such argument (did you mean 'by_epoch' or 'max_iters'?)"),
    ({'val_cfg.f16': True}, "no 'f16' in val_cfg, and ValLoop takes no such argument "
     "(did you mean 'fp16'?)"),
])
def test_unknown_options_rejected(options, message):
    with pytest.raises(CLIError) as e:
        check_cfg_options(SCOPED, options)
    assert str(e.value) == f"unknown --cfg-options key '{next(iter(options))}': {message}"


def test_bad_value_types_rejected():
    with pytest.raises(CLIError, match='expected an integer'):
        check_cfg_options(SCOPED, {'model.backbone.depth': '18a'})
    with pytest.raises(CLIError, match='expected true or false'):
        check_cfg_options(SCOPED, {'train_cfg.by_epoch': 'flase'})


# ------------------------------------------------------------ config file
def test_config_syntax_error(tmp_path):
    path = tmp_path / 'broken.py'
    path.write_text("model = dict(\n    type='ImageClassifier',,\n)\n")
    proc = train(path)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines() == [
        f'error: {path}, line 2: syntax error (invalid syntax); fix the config file']


def test_debug_shows_the_traceback():
    proc = train(DEMO, '--debug', '--cfg-options', 'model.global_head.queue_lenn=4')
    assert proc.returncode == 1 and 'Traceback' in proc.stderr
    assert "CLIError: unknown --cfg-options key 'model.global_head.queue_lenn'" in proc.stderr


# ------------------------------------------------------------ data
def test_missing_data_root(config, tmp_path):
    assert_one_line(
        train(config), f'train_dataloader.dataset.data_root: folder not found: '
        f'{tmp_path / "data"}; fix the path in the config or with --cfg-options')


def test_missing_data_prefix(config, tmp_path):
    make_images(tmp_path / 'data')
    assert_one_line(
        train(config, '--cfg-options', 'train_dataloader.dataset.data_prefix=imgs'),
        f'train_dataloader.dataset.data_prefix: not found: {tmp_path / "data" / "imgs"}; fix '
        'the path in the config or with --cfg-options')


def test_missing_data_root_of_the_demo(tmp_path):
    # an UnlabeledRSDataset config, stopped before the Runner and its environment dump
    assert_one_line(
        train_in(tmp_path, DEMO, f'train_dataloader.dataset.data_root={tmp_path / "nope"}'),
        f'train_dataloader.dataset.data_root: folder not found: {tmp_path / "nope"}; fix the '
        'path in the config or with --cfg-options')


def test_empty_dataset(config, tmp_path):
    (tmp_path / 'data' / 'a').mkdir(parents=True)
    line = assert_ends_with_one_line(
        train_in(tmp_path, config),
        f'train_dataloader.dataset (CustomDataset, data_root={tmp_path / "data"}): cannot build '
        'it: Found 0 files')
    assert line.endswith('check the dataset settings (--debug shows the traceback)')


@pytest.mark.parametrize('workers', [0, 1])
def test_corrupt_image(config, tmp_path, workers):
    make_images(tmp_path / 'data', bad='00.png')
    assert_ends_with_one_line(
        train_in(tmp_path, config, f'train_dataloader.num_workers={workers}'),
        f"bad input file: {tmp_path / 'data' / 'a' / '00.png'}: empty file (0 bytes); fix or "
        "remove it, or set on_error='skip' in CheckedLoadImageFromFile")


# ------------------------------------------------------------ work dir, disk
def test_work_dir_is_a_file(config, tmp_path):
    (tmp_path / 'w').write_text('')
    assert_one_line(
        train_in(tmp_path, config),
        f'work dir {tmp_path / "w"} is a file, not a folder: remove it or pass a writable '
        'folder with --work-dir')


def _read_only_dir(tmp_path):
    if os.geteuid() != 0:
        path = tmp_path / 'ro'
        path.mkdir()
        path.chmod(0o555)
        return path / 'w', 'Permission denied'
    # root writes through permission bits; sysfs refuses new folders even to root
    if not osp.isdir('/sys/kernel') or os.access('/sys/kernel', os.W_OK) and _mkdir_ok():
        pytest.skip('no read-only folder available')
    return '/sys/kernel/cmid_mm_test_work', 'Operation not permitted'


def _mkdir_ok():
    try:
        os.mkdir('/sys/kernel/cmid_mm_test_probe')
    except OSError:
        return False
    os.rmdir('/sys/kernel/cmid_mm_test_probe')
    return True


def test_read_only_work_dir(config, tmp_path):
    work_dir, reason = _read_only_dir(tmp_path)
    assert_one_line(
        train(config, '--work-dir', work_dir),
        f'work dir {work_dir} is not writable ({reason}): pass a writable folder with '
        '--work-dir')


def test_disk_full_while_saving_a_checkpoint(tmp_path, monkeypatch, capsys):
    path = str(tmp_path / 'w' / 'iter_2.pth')

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, 'fsync', full)
    monkeypatch.setattr(sys, 'argv', ['tools/train.py', 'x.py'])
    with pytest.raises(SystemExit) as e:
        run_cli(lambda: atomic_write(b'weights', path))
    assert e.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f'error: no space left on the device while writing {path}: free some space or pass '
        'another --work-dir']
    assert os.listdir(tmp_path / 'w') == []  # no temp file left


def test_other_os_errors_keep_their_traceback(monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['tools/train.py', 'x.py'])

    def broken():
        raise OSError(errno.EIO, 'Input/output error')

    with pytest.raises(OSError, match='Input/output'):
        run_cli(broken)
    monkeypatch.setattr(sys, 'argv', ['tools/train.py', 'x.py', '--debug'])

    def full():
        raise OSError(errno.ENOSPC, 'No space left on device', '/w/iter_2.pth')

    with pytest.raises(OSError, match='No space'):  # --debug: the traceback, not the line
        run_cli(full)


def test_weights_only_refusal_and_library_errors_are_one_line(monkeypatch, capsys):
    """A checkpoint the weights-only unpickler refused outside the one loader is the checkpoint
    error line (exit 2); a tool's ``user_errors`` are one line, other exceptions keep theirs."""
    monkeypatch.setattr(sys, 'argv', ['tools/x.py'])

    def refused():
        raise pickle.UnpicklingError('Weights only load failed.\nUnsupported global: GLOBAL '
                                     'posix.system was not an allowed global')

    def missing():
        raise FileNotFoundError('no such file or folder: x.tif')

    for main, user_errors, line in [
            (refused, (), 'error: refused to load a checkpoint: it holds an object outside the '
             'weights-only allow-list (Unsupported global: GLOBAL posix.system was not an '
             'allowed global); nothing in it was executed'),
            (missing, (FileNotFoundError, ), 'error: no such file or folder: x.tif')]:
        with pytest.raises(SystemExit) as e:
            run_cli(main, user_errors)
        assert e.value.code == 2
        assert capsys.readouterr().err.splitlines() == [line]
    with pytest.raises(FileNotFoundError):
        run_cli(missing)
