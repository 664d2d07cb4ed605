"""Checkpoint files get the umask's permissions, temp files of a killed save are cleaned up, and
tools/dist_*.sh run the project's Python and stop their workers when they are killed."""
import fcntl
import os
import os.path as osp
import signal
import socket
import stat
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
import torch
from mmengine.runner.checkpoint import save_checkpoint

from cmid_mm.checkpoint import atomic_local_backend as atomic_checkpoint, atomic_write
from cmid_mm.utils import find_resume_checkpoint

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture
def umask():
    def set_umask(mask):
        os.umask(mask)
    old = os.umask(0o022)
    yield set_umask
    os.umask(old)


@pytest.mark.parametrize('mask, mode', [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_checkpoint_gets_the_umask_permissions(tmp_path, umask, mask, mode):
    umask(mask)
    assert atomic_checkpoint.current_umask() == mask
    save_checkpoint({'state_dict': {'w': torch.ones(2)}}, str(tmp_path / 'iter_2.pth'))
    atomic_write('x', str(tmp_path / 'last_checkpoint'))
    for name in ('iter_2.pth', 'last_checkpoint'):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == mode, name


def test_next_save_removes_a_temp_file_left_by_a_killed_save(tmp_path):
    stale = tmp_path / '.iter_2.pth.k1ll3d_x.tmp'
    stale.write_bytes(b'half a checkpoint')
    other = tmp_path / '.iter_4.pth.k1ll3d_y.tmp'  # another checkpoint's: not this save's
    other.write_bytes(b'half')
    atomic_write(b'new', str(tmp_path / 'iter_2.pth'))
    assert sorted(os.listdir(tmp_path)) == ['.iter_4.pth.k1ll3d_y.tmp', 'iter_2.pth']


def test_a_temp_file_being_written_is_left_alone(tmp_path):
    busy = tmp_path / '.iter_2.pth.wr1t1ng.tmp'
    busy.write_bytes(b'')
    with open(busy, 'rb') as f:  # a live writer holds its lock
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        atomic_write(b'new', str(tmp_path / 'iter_2.pth'))
        assert busy.exists()
    atomic_write(b'newer', str(tmp_path / 'iter_2.pth'))  # the writer is gone now
    assert not busy.exists()


def test_resume_removes_temp_files_of_a_killed_save(tmp_path):
    torch.save({'x': 1}, tmp_path / 'iter_2.pth')
    (tmp_path / '.iter_4.pth.k1ll3d_z.tmp').write_bytes(b'half')
    (tmp_path / '.last_checkpoint.k1ll3d_w.tmp').write_bytes(b'')
    assert find_resume_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_2.pth')
    assert os.listdir(tmp_path) == ['iter_2.pth']


# ------------------------------------------------------------ launchers
CONFIG = """
default_scope = 'mmpretrain'
model = dict(type='ImageClassifier', backbone=dict(type='ResNet', depth=18),
             neck=dict(type='GlobalAveragePooling'),
             head=dict(type='LinearClsHead', num_classes=2, in_channels=512,
                       loss=dict(type='CrossEntropyLoss')))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(type='CustomDataset', data_root={data_root!r},
                                     pipeline=[dict(type='LoadImageFromFile'),
                                               dict(type='PackInputs')]),
                        sampler=dict(type='DefaultSampler', shuffle=True))
train_cfg = dict(by_epoch=False, max_iters=100000)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
default_hooks = dict(checkpoint=None)
log_processor = dict(by_epoch=False)
"""


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _launcher_env():
    """No venv on PATH and no PYTHON: the scripts must find the project's Python themselves."""
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHON', 'VIRTUAL_ENV')}
    env.update(PATH='/usr/bin:/bin', PORT=str(_free_port()), OMP_NUM_THREADS='1')
    if not osp.isfile(osp.join(REPO, '.venv', 'bin', 'python')):
        env['PYTHON'] = sys.executable  # a checkout without the venv: test the rest
    return env


def _processes_with(text):
    """pids of live processes whose command line contains ``text``."""
    pids = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                cmdline = f.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        if text in cmdline:
            pids.append(int(pid))
    return pids


def test_dist_test_runs_the_venv_python(tmp_path):
    missing = tmp_path / 'nope.pth'
    proc = subprocess.run(['bash', 'tools/dist_test.sh', 'configs/cmid/cmid_resnet18_1xb16-'
                           'adan-200i_neon-demo.py', str(missing), '1'], cwd=REPO,
                          env=_launcher_env(), capture_output=True, text=True, timeout=300)
    # the worker ran tools/test.py (with torch) and reported the user error
    assert f'error: checkpoint file not found: {missing}' in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode != 0


def test_killing_dist_train_stops_its_workers(tmp_path):
    rng = np.random.default_rng(0)
    for cls in ('a', 'b'):
        (tmp_path / 'data' / cls).mkdir(parents=True)
        for i in range(4):  # 2 ranks x batch 2: BatchNorm needs more than 1 sample
            cv2.imwrite(str(tmp_path / 'data' / cls / f'{i}.png'),
                        rng.integers(0, 255, (32, 32, 3), np.uint8))
    config = tmp_path / 'tiny_dist.py'
    config.write_text(CONFIG.format(data_root=str(tmp_path / 'data')))
    proc = subprocess.Popen(['bash', 'tools/dist_train.sh', str(config), '2', '--work-dir',
                             str(tmp_path / 'work')], cwd=REPO, env=_launcher_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 120
        while True:  # both workers started (command lines without torch.distributed.run)
            workers = [p for p in _processes_with(str(config))
                       if p != proc.pid and 'torch.distributed.run' not in
                       open(f'/proc/{p}/cmdline', 'rb').read().decode(errors='replace')]
            if len(workers) == 2:
                break
            assert proc.poll() is None and time.time() < deadline, 'workers never started'
            time.sleep(0.2)
        time.sleep(1)
        assert proc.poll() is None and all(osp.exists(f'/proc/{p}') for p in workers)
        proc.send_signal(signal.SIGTERM)  # the launcher's pid, as a job scheduler would
        deadline = time.time() + 20
        while _processes_with(str(config)) and time.time() < deadline:
            time.sleep(0.2)
        left = _processes_with(str(config))
        assert not left, f'processes left after the launcher was killed: {left}'
    finally:  # whatever this test started: torchrun puts each worker in its own group
        for pid in [proc.pid] + _processes_with(str(config)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()
