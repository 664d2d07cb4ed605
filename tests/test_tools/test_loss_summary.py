"""tools/analysis_tools/loss_summary.py: the losses of a run's scalars.json, and its one-line errors."""
import json
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def summary(work_dir, *args):
    return subprocess.run([sys.executable, 'tools/analysis_tools/loss_summary.py', str(work_dir),
                           *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_start_end_and_change(tmp_path):
    log = tmp_path / '20260101_000000' / 'vis_data' / 'scalars.json'
    log.parent.mkdir(parents=True)
    rows = [dict(lr=0.1, loss=4. - i, loss_local=2., iter=10 * (i + 1)) for i in range(4)]
    rows.insert(2, {'accuracy/top1': 50., 'step': 20})  # a validation entry: not a loss row
    log.write_text(''.join(json.dumps(r) + '\n' for r in rows))
    proc = summary(tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0] == f'from {log}'
    assert lines[1].startswith('losses (mean of the first / last 2 log entries, iterations 10..40')
    assert lines[4] == '| loss | 3.500 | 1.500 | -57.1% | - | - | - |'
    assert lines[5] == '| loss_local | 2.000 | 2.000 | +0.0% | - | - | - |'


def test_chance_levels_knn_words_and_plot(tmp_path):
    """--config adds the chance levels of the run's model (the 64 px recipe: 256 keys, 64
    prototypes); the hook's knn_curve.json is read back in words; --plot writes the PNG."""
    run = tmp_path / '20260101_000000'
    (run / 'vis_data').mkdir(parents=True)
    rows = [dict(lr=0.1, loss_global=5.5 - 0.1 * i, loss_local=4.3 - 0.2 * i, loss_rec=1.,
                 **{'collapse/local_blind_floor': 4.0}, iter=10 * (i + 1)) for i in range(4)]
    (run / 'vis_data' / 'scalars.json').write_text(''.join(json.dumps(r) + '\n' for r in rows))
    curve = [dict(iter=0, top1=50., probe_top1=None, majority=40.),
             dict(iter=40, top1=72.5, probe_top1=None, majority=40.)]
    (run / 'knn_curve.json').write_text(json.dumps(curve))
    png = tmp_path / 'curves.png'
    proc = summary(tmp_path, '--config',
                   'configs/cmid/cmid_resnet18_1xb32-adan-500i_neon-64px.py', '--plot', str(png))
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    # global: end 5.25 vs ln 257 = 5.549; local: end 3.8 vs ln 64 = 4.159 and floor 4.0
    assert '| loss_global | 5.450 | 5.250 | -3.7% | 5.549 | - | 0.30 nat below chance |' in out
    assert ('| loss_local | 4.200 | 3.800 | -9.5% | 4.159 | 4.000 | 0.36 nat below chance, '
            '0.20 below the input-blind floor |') in out
    assert "kNN top-1 50.0 -> 72.5 over iterations 0..40 (iteration 0 = this run's random init" \
        in out
    assert png.stat().st_size > 1000


def test_no_log_is_one_line(tmp_path):
    proc = summary(tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f'error: no scalars.json under {tmp_path}/*/vis_data/ (did training run?)']
