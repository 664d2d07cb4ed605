"""Train with any mmengine-Runner config (mmpretrain, mmseg, mmdet: picked by ``default_scope``)."""
import argparse
import os.path as osp

import cmid_mm  # noqa: F401  first: registers modules and the checkpoint safe globals
import torch
from cmid_mm.utils import (CLIError, add_common_args, build_runner, find_resume_checkpoint,
                           load_config, run_cli, setup_cli_cfg)
from cmid_mm.utils.cli import (check_data_paths, keep_freed_memory, setup_amp,
                               setup_channels_last)
from mmengine.logging import print_log


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or without a path from the latest checkpoint in the '
        'work dir')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision: fp16 autocast with loss scaling on CUDA, bf16 '
                        'autocast on CPU (CMID pretraining also in channels-last)')
    parser.add_argument('--channels-last', action='store_true',
                        help='CMID pretraining with channels-last (NHWC) weights, also in fp32 '
                        '(faster on AVX-512 CPUs; see configs/cmid/README.md)')
    return add_common_args(parser).parse_args()


def main():
    args = parse_args()
    malloc_note = keep_freed_memory()  # first: before the big allocations
    if args.resume not in (None, 'auto') and '://' not in args.resume \
            and not osp.isfile(args.resume):
        raise CLIError(f'checkpoint file not found: {args.resume}')
    cfg = load_config(args.config, args.cfg_options)

    if args.amp:
        setup_amp(cfg, cuda=torch.cuda.is_available())
    if args.channels_last:
        setup_channels_last(cfg)
    setup_cli_cfg(cfg, args)
    if args.resume == 'auto':
        # mmengine trusts its last_checkpoint pointer; a kill can leave it (or the file it names)
        # incomplete, so pick the newest complete checkpoint ourselves.
        args.resume = find_resume_checkpoint(cfg.work_dir)
        if args.resume is None:
            print_log(f'--resume: no checkpoint in {cfg.work_dir}, training from scratch',
                      logger='current')
    if args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    loaders = ['train_dataloader'] + (['val_dataloader'] if cfg.get('val_cfg') else [])
    check_data_paths(cfg, loaders)  # before the Runner prints its environment dump
    runner = build_runner(cfg)
    runner.logger.info(malloc_note)
    runner.train()


if __name__ == '__main__':
    run_cli(main)
