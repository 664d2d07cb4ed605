"""tools/analysis/benchmark_pretrain.py: the CMID step alone, --compare and --profile."""
import os.path as osp
import re
import subprocess

import pytest

DEMO = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                'configs', 'cmid', 'cmid_resnet18_1xb16-adan-200i_neon-demo.py')

TINY = """
_base_ = {base!r}
model = dict(
    backbone=dict(stem_channels=8, base_channels=8),
    global_neck=dict(in_channels=64, hid_channels=32, out_channels=16),
    global_head=dict(queue_len=16, feat_dim=16),
    local_neck=dict(in_channels=64, hid_channels=32, bottleneck_channels=16, out_channels=32),
    local_head=dict(out_channels=32, num_pairs=2),
    decoder=dict(in_channels=64))
"""


@pytest.fixture(scope='module')
def tiny_config(tmp_path_factory):
    path = tmp_path_factory.mktemp('bench') / 'tiny_cmid.py'
    path.write_text(TINY.format(base=DEMO))
    return path


def bench(python, repo_root, config, *flags):
    proc = subprocess.run([python, 'tools/analysis/benchmark_pretrain.py', str(config),
                           '--batch-size', '2', '--img-size', '64', '--iters', '2', '--warmup',
                           '1', *flags], cwd=repo_root, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_default_times_the_cmid_step_only(python, repo_root, tiny_config):
    out = bench(python, repo_root, tiny_config)
    assert re.search(r'CMID step: +[\d.]+ ms/step +[\d.]+ img/s', out)
    assert 'bare backbone' not in out and 'ratio' not in out and 'profile' not in out


def test_compare_and_profile(python, repo_root, tiny_config):
    out = bench(python, repo_root, tiny_config, '--compare', '--profile', '5')
    bare = float(re.search(r'bare backbone: +([\d.]+) ms/step', out).group(1))
    cmid = float(re.search(r'CMID step: +([\d.]+) ms/step', out).group(1))
    ratio = float(re.search(r'ratio CMID / bare: ([\d.]+)', out).group(1))
    assert ratio == pytest.approx(cmid / bare, rel=0.01, abs=0.002)
    parts = re.findall(r'^  (\S+) +[\d.]+ ms/step$', out, re.M)
    assert {'backbone', 'teacher.backbone', 'global_neck', 'local_neck', 'decoder'} <= set(parts)
    ops = out.split('top 5 operators by self time (forward and backward):\n')[1].splitlines()
    assert len(ops) == 5 and all(re.match(r'  \S.* +[\d.]+ ms/step +\d+ calls/step$', op)
                                 for op in ops)
