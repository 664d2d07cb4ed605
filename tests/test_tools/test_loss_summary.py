"""tools/analysis_tools/loss_summary.py: the losses of a run's scalars.json, and its one-line errors."""
import json
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def summary(work_dir):
    return subprocess.run([sys.executable, 'tools/analysis_tools/loss_summary.py', str(work_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def test_start_end_and_change(tmp_path):
    log = tmp_path / '20260101_000000' / 'vis_data' / 'scalars.json'
    log.parent.mkdir(parents=True)
    rows = [dict(lr=0.1, loss=4. - i, loss_local=2., iter=10 * (i + 1)) for i in range(4)]
    rows.insert(2, {'accuracy/top1': 50., 'step': 20})  # a validation entry: not a loss row
    log.write_text(''.join(json.dumps(r) + '\n' for r in rows))
    proc = summary(tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0] == f'losses from {log} (iter 10..40, mean of 2 log entries)'
    assert lines[3] == '| loss         |   3.5000 |   1.5000 |   -57.1% |'
    assert lines[4] == '| loss_local   |   2.0000 |   2.0000 |    +0.0% |'


def test_no_log_is_one_line(tmp_path):
    proc = summary(tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f'error: no scalars.json under {tmp_path}/*/vis_data/ (did training run?)']
