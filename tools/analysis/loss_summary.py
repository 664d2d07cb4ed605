"""Print how the losses of a training run moved, from its mmengine scalar log.

    python tools/analysis/loss_summary.py WORK_DIR [--window 3]

Reads the newest ``WORK_DIR/<timestamp>/vis_data/scalars.json`` and prints, for every logged loss,
the mean of the first and last ``window`` log entries and the relative change.
"""
import argparse
import glob
import json
import os.path as osp
import sys


def read_scalars(work_dir):
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        sys.exit(f'error: no scalars.json under {work_dir}/*/vis_data/ (did training run?)')
    with open(logs[-1]) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return logs[-1], [r for r in rows if 'loss' in r]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    parser.add_argument('--window', type=int, default=3)
    args = parser.parse_args()
    path, rows = read_scalars(args.work_dir)
    if len(rows) < 2:
        sys.exit(f'error: fewer than 2 loss entries in {path}')
    w = min(args.window, len(rows) // 2)
    keys = sorted(k for k in rows[0] if k.startswith('loss'))
    print(f'losses from {path} (iter {rows[0]["iter"]}..{rows[-1]["iter"]}, '
          f'mean of {w} log entries)')
    print(f'| {"term":<12} | {"start":>8} | {"end":>8} | {"change":>8} |')
    print(f'|{"-" * 14}|{"-" * 10}|{"-" * 10}|{"-" * 10}|')
    for k in keys:
        start = sum(r[k] for r in rows[:w]) / w
        end = sum(r[k] for r in rows[-w:]) / w
        print(f'| {k:<12} | {start:8.4f} | {end:8.4f} | {(end - start) / abs(start):+8.1%} |')


if __name__ == '__main__':
    main()
