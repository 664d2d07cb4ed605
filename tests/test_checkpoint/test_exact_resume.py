"""SIGKILL a CPU CMID run at an arbitrary iteration; --resume reproduces the uninterrupted losses."""
import glob
import json
import os.path as osp
import signal
import subprocess

import cv2
import numpy as np
import pytest

CONFIG = 'configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py'
MAX_ITERS = 10


@pytest.fixture(scope='module')
def tiles(tmp_path_factory):
    root = tmp_path_factory.mktemp('tiles')
    rng = np.random.default_rng(0)
    for i in range(6):
        (root / 'tiles' / f'scene{i % 2}').mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / 'tiles' / f'scene{i % 2}' / f'{i}.png'),
                    rng.integers(0, 255, (80, 80, 3), np.uint8))
    return root


def _cmd(python, tiles, work_dir, *extra):
    return [python, 'tools/train.py', CONFIG, '--work-dir', str(work_dir), *extra, '--cfg-options',
            f'train_dataloader.dataset.data_root={tiles}', 'train_dataloader.batch_size=2',
            'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
            'train_dataloader.dataset.pipeline.1.img_size=64', 'model.global_head.queue_len=32',
            'model.local_head.num_pairs=2', f'train_cfg.max_iters={MAX_ITERS}',
            'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1']


def _losses(work_dir):
    rows = {}
    for log in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        for line in open(log):
            row = json.loads(line)
            if 'loss' in row:
                rows[row['iter']] = {k: v for k, v in row.items() if k.startswith('loss')}
    return rows


def test_resume_after_sigkill_matches_the_uninterrupted_run(tiles, tmp_path, repo_root, python):
    full = subprocess.run(_cmd(python, tiles, tmp_path / 'full'), cwd=repo_root,
                          capture_output=True, text=True, timeout=300)
    assert full.returncode == 0, full.stderr[-3000:]
    expected = _losses(tmp_path / 'full')
    assert sorted(expected) == list(range(1, MAX_ITERS + 1))

    killed = tmp_path / 'killed'
    proc = subprocess.Popen(_cmd(python, tiles, killed), cwd=repo_root, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:  # kill once iteration 5 is logged, wherever the run is then
        if f'Iter(train) [ 5/{MAX_ITERS}]' in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not osp.exists(killed / f'iter_{MAX_ITERS}.pth')

    resumed = subprocess.run(_cmd(python, tiles, killed, '--resume'), cwd=repo_root,
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'resumed' in (resumed.stdout + resumed.stderr).lower()
    got = _losses(killed)
    assert sorted(got) == list(range(1, MAX_ITERS + 1))
    for it in range(1, MAX_ITERS + 1):  # before the kill and after the resume alike
        for key, value in expected[it].items():
            assert got[it][key] == pytest.approx(value, rel=1e-5, abs=1e-6), (it, key)


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))  # unpickling would create the marker file


def test_resume_refuses_a_checkpoint_with_a_pickled_object(tiles, tmp_path, repo_root, python):
    import torch
    marker = tmp_path / 'pwned'
    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': _Evil(str(marker))}, evil)
    proc = subprocess.run(_cmd(python, tiles, tmp_path / 'work', '--resume', str(evil)),
                          cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2  # a user error: one line, exit 2
    assert not marker.exists()
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f'error: refused to load {evil}') and 'GLOBAL io.open' in last, last
