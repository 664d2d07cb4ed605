"""Print how the losses of a training run moved, from its mmengine scalar log.

    python tools/analysis_tools/loss_summary.py WORK_DIR [--window 3]

Reads the newest ``WORK_DIR/<timestamp>/vis_data/scalars.json`` (mmpretrain's ``load_json_log``)
and prints, for every logged loss, the mean of the first and last ``window`` log entries and the
relative change.
"""
import argparse
import glob
import os.path as osp

from mmpretrain.utils import load_json_log

from cmid_mm.utils import CLIError, run_cli


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    parser.add_argument('--window', type=int, default=3)
    args = parser.parse_args()
    logs = sorted(glob.glob(osp.join(args.work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        raise CLIError(f'no scalars.json under {args.work_dir}/*/vis_data/ (did training run?)')
    rows = [r for r in load_json_log(logs[-1])['train'] if 'loss' in r]
    if len(rows) < 2:
        raise CLIError(f'fewer than 2 loss entries in {logs[-1]}')
    w = min(args.window, len(rows) // 2)
    keys = sorted(k for k in rows[0] if k.startswith('loss'))
    print(f'losses from {logs[-1]} (iter {rows[0]["iter"]}..{rows[-1]["iter"]}, '
          f'mean of {w} log entries)')
    print(f'| {"term":<12} | {"start":>8} | {"end":>8} | {"change":>8} |')
    print(f'|{"-" * 14}|{"-" * 10}|{"-" * 10}|{"-" * 10}|')
    for k in keys:
        start = sum(r[k] for r in rows[:w]) / w
        end = sum(r[k] for r in rows[-w:]) / w
        print(f'| {k:<12} | {start:8.4f} | {end:8.4f} | {(end - start) / abs(start):+8.1%} |')


if __name__ == '__main__':
    run_cli(main)
