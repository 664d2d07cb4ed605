"""demo/demo_change_detection.py: the synthetic change pairs and an end-to-end tiny run."""
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmpretrain.models import ResNet

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO, 'demo/demo_change_detection.py')


@pytest.fixture(scope='module')
def demo():
    spec = importlib.util.spec_from_file_location('demo_change_detection', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_random_shapes_have_the_documented_sizes(demo):
    rng = np.random.default_rng(0)
    areas = [demo.random_shape(rng, 128).sum() for _ in range(50)]
    assert min(areas) >= 120 and max(areas) <= 1600


def test_pairs_change_where_labelled_and_differ_radiometrically(demo):
    rng = np.random.default_rng(0)
    scenes = {'2019_YELL_a': rng.integers(0, 255, (400, 300, 3), dtype=np.uint8),
              'OSBS_b': rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)}
    changed, unchanged, labelled = [], [], 0
    for _ in range(20):
        img_a, img_b, label = demo.make_pair(scenes['2019_YELL_a'], (0, 280), scenes, rng)
        assert img_a.shape == img_b.shape == (128, 128, 3) and img_a.dtype == np.uint8
        assert label.shape == (128, 128) and set(np.unique(label)) <= {0, 1}
        diff = np.abs(img_a.astype(float) - img_b.astype(float)).mean(axis=2)
        changed += list(diff[label == 1])
        unchanged += list(diff[label == 0])
        labelled += int(label.any())
    assert labelled >= 14  # 0 changes in ~10 % of the pairs
    # unchanged pixels are not identical across dates, pasted ones differ much more
    assert 3 < np.mean(unchanged) < 40 < np.mean(changed)
    same_seed = [demo.make_pair(scenes['2019_YELL_a'], (0, 280), scenes,
                                np.random.default_rng(5)) for _ in range(2)]
    for x, y in zip(*same_seed):
        np.testing.assert_array_equal(x, y)


def test_missing_checkpoint_is_one_clear_error(tmp_path):
    proc = subprocess.run([sys.executable, SCRIPT, str(tmp_path / 'none.pth')],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f"error: pretrained checkpoint not found: {tmp_path / 'none.pth'} (run the CMID demo "
        'first: demo/demo.sh, or pass a CMID training checkpoint)')


def test_demo_runs_end_to_end(tmp_path):
    # a CMID-like training checkpoint: the student ResNet-18 under backbone.*
    torch.manual_seed(0)
    state = {f'backbone.{k}': v for k, v in ResNet(depth=18).state_dict().items()}
    torch.save(dict(state_dict=state, meta=dict(iter=200)), tmp_path / 'cmid.pth')
    work = tmp_path / 'work'
    proc = subprocess.run([
        sys.executable, SCRIPT, str(tmp_path / 'cmid.pth'), '--work-dir', str(work), '--iters',
        '2', '--train-pairs', '16', '--test-pairs', '8'
    ], capture_output=True, text=True, cwd=REPO, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    table = (work / 'results.md').read_text()
    assert table in proc.stdout
    rows = [line for line in table.splitlines() if line.startswith('| CMID') or
            line.startswith('| random')]
    assert len(rows) == 2
    assert len(os.listdir(work / 'data' / 'train' / 'A')) == 16
    assert len(os.listdir(work / 'data' / 'test' / 'label')) == 8
