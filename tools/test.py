"""Test (and evaluate) a checkpoint with any mmengine-Runner config (mmpretrain, mmseg or mmdet)."""
import argparse
import os.path as osp

import cmid_mm  # noqa: F401  first: registers modules and the checkpoint safe globals
from cmid_mm.utils import (CLIError, add_common_args, build_runner, load_config, run_cli,
                           setup_cli_cfg)
from cmid_mm.utils.cli import check_data_paths
from mmengine.evaluator import DumpResults


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump the predictions to this .pkl file')
    return add_common_args(parser).parse_args()


def main():
    args = parse_args()
    if '://' not in args.checkpoint and not osp.isfile(args.checkpoint):
        raise CLIError(f'checkpoint file not found: {args.checkpoint}')
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        raise CLIError(f'--out must be a .pkl or .pickle file, got {args.out}')
    cfg = load_config(args.config, args.cfg_options)

    cfg.load_from = args.checkpoint
    setup_cli_cfg(cfg, args)

    check_data_paths(cfg, ['test_dataloader'])  # before the Runner prints its environment dump
    runner = build_runner(cfg)  # every weight of the tested model must load
    if args.out is not None:
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    runner.test()


if __name__ == '__main__':
    run_cli(main)
