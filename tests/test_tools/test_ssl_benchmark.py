"""The equal-budget SSL benchmark: every config builds and shares the budget; the tool runs end to
end on a tiny budget, prints the table, and a rerun reuses the cached runs."""
import glob
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from cmid_mm.evaluation.ssl_benchmark import METHODS, summarize, verdicts

from ..conftest import REPO_ROOT as REPO

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs/ssl_benchmark/*.py')))


def test_every_method_has_a_config_and_every_config_a_method():
    listed = {osp.join(REPO, c) for c in METHODS.values() if c is not None}
    assert listed == set(CONFIGS)


@pytest.mark.parametrize('config', CONFIGS, ids=osp.basename)
def test_config_builds_at_the_shared_budget(config):
    cfg = Config.fromfile(config)
    ref = Config.fromfile(osp.join(REPO, METHODS['cmid']))
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    # the same ResNet-18, data, views, batch, optimizer and schedule as full CMID
    assert model.backbone.depth == 18
    shared = dict(
        iterations=lambda c: c.train_cfg, optimizer=lambda c: c.optim_wrapper.optimizer,
        schedule=lambda c: c.param_scheduler, batch=lambda c: c.train_dataloader.batch_size,
        data=lambda c: c.train_dataloader.dataset.data_root,
        views=lambda c: c.train_dataloader.dataset.pipeline[1],
        normalisation=lambda c: c.model.data_preprocessor, seed=lambda c: c.randomness,
        whole_batches=lambda c: c.train_dataloader.drop_last)
    for what, get in shared.items():
        assert get(cfg) == get(ref), what
    assert cfg.train_dataloader.dataset.pipeline[1].type == 'CMIDTwoViews'


def test_verdict_needs_a_gap_beyond_both_stds():
    def run(method, seed, knn, probe, seg):
        return dict(method=method, seed=seed, iters=10, train_s=1.0, eval_s=1.0, knn_top1=knn,
                    probe_top1=probe, seg_miou=seg)
    results = [run('cmid', 0, 60, 80, 50), run('cmid', 1, 62, 82, 52),
               run('byol', 0, 50, 79, 40), run('byol', 1, 52, 83, 42),
               run('random', 0, 59, 70, 51), run('random', 1, 61, 72, 53)]
    lines = verdicts(summarize(results, ['random', 'byol', 'cmid']))
    # byol: kNN and seg gaps (10) > std sum (2.8); probe gap 0 -> beats on 2/3
    assert lines[0].startswith('cmid vs random: ahead beyond seed noise on 1/3')
    assert lines[0].endswith('does not beat')
    assert lines[1].startswith('cmid vs byol: ahead beyond seed noise on 2/3')
    assert lines[1].endswith('-> BEATS')
    one_seed = verdicts(summarize(results[:3], ['byol', 'cmid']))
    assert one_seed == ['cmid vs byol: no verdict (needs >= 2 seeds of each)']


def _images(folder, n, size, rng):
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        cv2.imwrite(osp.join(folder, f'{i}.png'), rng.integers(0, 255, (size, size, 3),
                                                                 np.uint8))


def test_tool_runs_a_tiny_benchmark_and_resumes(tmp_path):
    rng = np.random.default_rng(0)
    # 42 = one batch of 32 + 10: a last batch of 10 would not divide MoCo's 256-key queue
    _images(str(tmp_path / 'train' / 'tiles'), 42, 80, rng)
    knn = tmp_path / 'knn'
    _images(str(knn / 'images'), 8, 40, rng)
    (knn / 'classes.txt').write_text('a\nb\n')
    (knn / 'train.txt').write_text(''.join(f'{i}.png {i % 2}\n' for i in range(4)))
    (knn / 'val.txt').write_text(''.join(f'{i}.png {i % 2}\n' for i in range(4, 8)))
    seg = tmp_path / 'seg'
    for split in ('train', 'val'):
        _images(str(seg / split / 'img'), 3, 64, rng)
        (seg / split / 'mask').mkdir()
        for i in range(3):
            cv2.imwrite(str(seg / split / 'mask' / f'{i}.png'),
                        (rng.random((64, 64)) < 0.4).astype(np.uint8))
    cmd = [sys.executable, 'tools/analysis_tools/ssl_benchmark.py', '--methods', 'random',
           'mocov2', '--seeds', '0', '--iters', '2', '--work-dir', str(tmp_path / 'work'),
           '--train-data', str(tmp_path / 'train'), '--knn-data', str(knn),
           '--seg-data', str(seg)]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    first = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert '[mocov2 seed 0] pretraining 2 iterations' in first.stdout
    rows = [ln for ln in first.stdout.splitlines() if ln.startswith('| ')]
    assert [r.split('|')[1].strip() for r in rows] == ['method', 'random', 'mocov2']
    assert rows[2].split('|')[2].strip() == '2'  # the iterations it ran
    assert osp.isfile(tmp_path / 'work' / 'mocov2' / 'seed0' / 'student_backbone_last.pth')
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert 'pretraining' not in again.stdout
    assert [ln for ln in again.stdout.splitlines() if ln.startswith('| ')] == rows
    # a piece that may start no new run: seed 1 is not run, the cached seed 0 is still shown
    piece = subprocess.run(cmd[:cmd.index('--seeds') + 2] + ['1'] + cmd[cmd.index('--iters'):]
                           + ['--max-new-runs', '0'], cwd=REPO, capture_output=True, text=True,
                           timeout=120, env=env)
    assert piece.returncode == 0, piece.stderr[-3000:]
    assert 'stopped after 0 new runs' in piece.stdout
    assert [ln for ln in piece.stdout.splitlines() if ln.startswith('| ')] == rows


def test_unknown_method_is_one_error_line():
    proc = subprocess.run([sys.executable, 'tools/analysis_tools/ssl_benchmark.py', '--methods',
                           'mocov9'], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith('error: unknown --methods mocov9')
