"""tools/analysis_tools/benchmark_pretrain.py: the CMID step alone, --compare, interleaved toggles,
--rss, --profile, --scaling and --loader."""
import os.path as osp
import re
import subprocess

import cv2
import numpy as np
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
    proc = subprocess.run([python, 'tools/analysis_tools/benchmark_pretrain.py', str(config),
                           '--batch-size', '2', '--img-size', '64', '--rounds', '2', '--warmup',
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


def test_interleaved_toggles_print_medians_per_round_ratios_load_and_rss(python, repo_root,
                                                                         tiny_config):
    out = bench(python, repo_root, tiny_config, '--compare', '--variants', 'cmid',
                'fft-per-image', 'channels-last', '--rss')
    assert 'variants interleaved: bare cmid fft-per-image channels-last' in out
    assert re.search(r'^load average \(1, 5, 15 min\): [\d. ]+ before, [\d. ]+ after$', out, re.M)
    for label in ('bare backbone:', 'CMID step:', 'CMID, fft-per-image:', 'CMID, channels-last:'):
        assert re.search(re.escape(label) + r' +[\d.]+ ms/step +[\d.]+ img/s  '
                         r'\(min [\d.]+, max [\d.]+, 2 rounds\)', out), label
    for pair in ('cmid / bare', 'fft-per-image / bare', 'fft-per-image / cmid',
                 'channels-last / cmid'):
        low, median, high = map(float, re.search(
            re.escape(f'per-round ratio {pair}: median ') +
            r'([\d.]+) \(min ([\d.]+), max ([\d.]+)', out).group(2, 1, 3))
        assert low <= median <= high
    rss = dict(re.findall(r'^peak RSS of (\S+) alone \(separate process\): (\d+) MiB$', out, re.M))
    assert set(rss) == {'bare', 'cmid', 'fft-per-image', 'channels-last'}
    assert all(int(v) > 0 for v in rss.values())


def test_batch_and_image_size_default_to_the_config(python, repo_root, tiny_config):
    proc = subprocess.run([python, 'tools/analysis_tools/benchmark_pretrain.py', str(tiny_config),
                           '--rounds', '1', '--warmup', '0', '--queue-len', '32'], cwd=repo_root,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'batch: 16, img: 128, rounds: 1 (+0 warm-up)' in proc.stdout  # the demo's values


def test_scaling_prints_a_row_per_cell_skips_past_the_memory_guard_and_fits(python, repo_root,
                                                                             tiny_config):
    # 64 px is off the config's 128: its local pairs scale with the cells (2 x 1/4 -> 1)
    proc = subprocess.run([python, 'tools/analysis_tools/benchmark_pretrain.py', str(tiny_config),
                           '--scaling', '--batches', '1', '2', '--sizes', '64', '--also',
                           str(tiny_config), '--threads', '1', '--queue-len', '32'],
                          cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert '1 timed rounds' not in out and '2 timed rounds (+1 warm-up) per cell' in out
    assert re.search(r'^load average \(1, 5, 15 min\): [\d. ]+ at the start$', out, re.M)
    rows = re.findall(r'^\| ResNet-18 \| (\d+) \| (\d+) \| [\d]+ \([\d]+-[\d]+\) \|'
                      r'( [\d]+ \|){5} [\d.]+ \|$', out, re.M)
    assert [r[:2] for r in rows] == [('64', '1'), ('64', '2'), ('128', '1')]
    assert 'ResNet-18 64 px: local_head.num_pairs 1' in out
    assert re.search(r'^ResNet-18 64 px, batches 1 2: ms/step = -?\d+ [+-] \d+ x batch', out, re.M)
    # one guard, deterministic: no Python with torch imported stays under 50 MiB
    proc = subprocess.run([python, 'tools/analysis_tools/benchmark_pretrain.py', str(tiny_config),
                           '--scaling', '--batches', '1', '--sizes', '64', '--max-rss-gib',
                           '0.05'], cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r'^\| ResNet-18 \| 64 \| 1 \| skipped \(RSS passed the 51 MiB limit after '
                     r'\d+ s\) \|', proc.stdout, re.M), proc.stdout


def test_loader_times_the_configs_pipeline_on_real_files_against_the_step(python, repo_root,
                                                                          tiny_config, tmp_path):
    rng = np.random.default_rng(0)
    for i in range(6):  # an image folder as the demo's tiles/<scene>/
        path = tmp_path / 'tiles' / f'scene{i % 2}' / f'{i}.png'
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), rng.integers(0, 255, (160, 160, 3), np.uint8))
    proc = subprocess.run([python, 'tools/analysis_tools/benchmark_pretrain.py', str(tiny_config),
                           '--loader', '--rounds', '3', '--warmup', '1', '--threads', '1',
                           '--cfg-options', 'train_dataloader.batch_size=2',
                           f'train_dataloader.dataset.data_root={tmp_path}'],
                          cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert 'batch: 2, img: 128, num_workers: 1, rounds: 3 (+1 warm-up)' in out
    assert re.search(r'^pipeline alone, 1 worker: +[\d.]+ img/s  \(min [\d.]+, max [\d.]+, '
                     r'3 rounds\)$', out, re.M)
    assert re.search(r'^CMID step: +[\d.]+ img/s', out, re.M)
    ratio, verdict = re.search(r'^per-round ratio loader \(1 worker\(s\) x pipeline img/s\) / '
                               r'step img/s: median ([\d.]+) \(min [\d.]+, max [\d.]+\); '
                               r'keeps up \(>= 2\): (yes|NO)$', out, re.M).groups()
    assert (float(ratio) >= 2) == (verdict == 'yes')
    assert re.search(r'^loader as configured \(num_workers=1\), alone, 3 batches after the '
                     r'first: [\d.]+ img/s, [\d.]+ x the step', out, re.M)


def test_loader_refuses_a_batch_or_size_other_than_the_configs(python, repo_root, tiny_config):
    proc = subprocess.run([python, 'tools/analysis_tools/benchmark_pretrain.py', str(tiny_config),
                           '--loader', '--batch-size', '4'], cwd=repo_root, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 2
    assert "--loader times the config's own batch and image size" in proc.stderr
