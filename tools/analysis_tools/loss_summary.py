"""Print how the losses of a training run moved, from its mmengine scalar log.

    python tools/analysis_tools/loss_summary.py WORK_DIR [--config CFG] [--window 3]
        [--plot curves.png]

Reads the newest ``WORK_DIR/<timestamp>/vis_data/scalars.json`` (mmpretrain's ``load_json_log``)
and prints, for every logged loss, the mean of the first and last ``window`` log entries and the
relative change. With ``--config`` (the CMID config the run trained) each contrastive term gets
its chance level and whether it ended below it. ``KNNEvalHook``'s curve
(``<timestamp>/knn_curve.json``), when the run wrote one, is printed in words. ``--plot`` writes
the learning curves as a PNG.
"""
import argparse
import glob
import os.path as osp

from mmengine.config import Config
from mmpretrain.utils import load_json_log

import cmid_mm  # noqa: F401  registers the heads whose defaults give the chance levels
from cmid_mm.engine.hooks.knn_eval_hook import curve_in_words
from cmid_mm.evaluation.training_curves import (chance_levels, format_loss_table, loss_rows,
                                                loss_table, plot_curves, read_knn_curve)
from cmid_mm.utils import CLIError, run_cli


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir')
    parser.add_argument('--config', help='the CMID config of the run: adds chance levels')
    parser.add_argument('--window', type=int, default=3)
    parser.add_argument('--plot', help='write the learning curves to this PNG')
    args = parser.parse_args()
    logs = sorted(glob.glob(osp.join(args.work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        raise CLIError(f'no scalars.json under {args.work_dir}/*/vis_data/ (did training run?)')
    rows = loss_rows(load_json_log(logs[-1])['train'])
    if len(rows) < 2:
        raise CLIError(f'fewer than 2 loss entries in {logs[-1]}')
    chance = {}
    if args.config:
        if not osp.isfile(args.config):
            raise CLIError(f'--config {args.config}: no such file')
        chance = chance_levels(Config.fromfile(args.config).model)
    print(f'from {logs[-1]}')
    print(format_loss_table(loss_table(rows, chance, args.window)))
    history = read_knn_curve(osp.dirname(osp.dirname(logs[-1])))
    if history is not None:
        print(curve_in_words(history))
        print('kNN top-1 by iteration: ' +
              ', '.join(f'{h["iter"]}: {h["top1"]:.1f}' for h in history))
    if args.plot:
        plot_curves(args.plot, rows, chance, history, title=osp.basename(args.work_dir))
        print(f'learning curves: {args.plot}')


if __name__ == '__main__':
    run_cli(main)
