"""Speed and memory of a CMID pretraining step, against the bare backbone, and where it goes.

    python tools/analysis_tools/benchmark_pretrain.py CONFIG [--batch-size B] [--img-size S]
        [--rounds 8] [--warmup 2] [--device cpu] [--threads N] [--compare]
        [--variants NAME ...] [--rss] [--profile [N]] [--cfg-options KEY=VALUE ...]
    python tools/analysis_tools/benchmark_pretrain.py CONFIG --scaling [--batches 8 16 32]
        [--sizes 128 224 320] [--also CONFIG ...] [--cell-timeout 600] [--max-rss-gib 12]
    python tools/analysis_tools/benchmark_pretrain.py CONFIG --loader

On one synthetic batch (random images through the config's ``CMIDTwoViews``; batch size and
image size are the config's unless given), the variants run in interleaved rounds (A B A B ...,
``--warmup`` untimed rounds first); each prints its median ms/step, images/s (B source images
per step) and min-max over the rounds, then the per-round ratio's median and min-max, and the
machine's load average before and after.

- ``cmid`` (the default): ``model(..., mode='loss')``, backward, the config's optimizer step.
- ``--compare`` (or variant ``bare``): the bare backbone doing the work CMID cannot avoid:
  the student backbone forward + backward on both masked views (one batch of 2B), the teacher
  backbone forward on both clean views (no grad), optimizer step of the backbone and mask token.
- toggles, the CMID step with one optimisation undone or one candidate applied:
  ``fft-per-image`` (the official per-image FFTs of the frequency loss), ``queue-one-product``
  (candidate: both views against the global queue in one product), ``channels-last``
  (weights in NHWC, as ``ChannelsLastHook``), ``bf16`` (CPU bf16 autocast), ``mkl-linear``
  (the heads' fp32 linear layers and decoder in torch's own ops, not oneDNN's matmul),
  ``dense-rec`` (the decoder on every feature cell, not only those the loss reads),
  ``ema-per-param`` (the teacher's EMA per parameter, not one foreach lerp),
  combined with ``+``;
  ``bf16+channels-last`` is what ``tools/train.py --amp`` runs for CMID on CPU.
- ``bare+`` and toggles (``bare+bf16+channels-last``): the bare backbone run the same way
  (``channels-last``, ``bf16``); with ``bf16+channels-last`` beside it, the per-round ratio
  CMID / bare under ``--amp``.
- ``--rss``: also the peak RSS of each variant alone, each in a separate process.
- ``--profile [N]``: torch.profiler over ``--rounds`` CMID steps; prints the forward time of
  each part of the model (backbone, necks, decoder, teacher parts; inclusive) and the top N
  operators by self time (forward and backward).
- ``--scaling``: the CMID step at each batch x image size (``--rounds 2 --warmup 1`` unless
  given: how cost grows, not an A/B comparison), and each ``--also`` config at its own image
  size and the first batch, each cell in a separate process (this tool, variant ``cmid``)
  for its peak RSS; a cell is stopped past ``--cell-timeout`` s or ``--max-rss-gib`` resident,
  or not started when the last smaller batch at its size, scaled linearly, predicts either, and
  prints ``skipped (reason)``. Off the config's image size, ``local_head.num_pairs`` scales
  with the number of cells (the image area). Then least-squares lines of time and memory
  against batch and against pixels, with their largest residual.
- ``--loader``: the config's train dataloader (``Runner.build_dataloader``: real images, the
  two views, photometric view-2 ops, masks, collate) in this process, one batch per round
  interleaved with the CMID step at the config's batch and image size: images/s per worker
  against the step's images/s, the per-round ratio for the config's ``num_workers``; then
  the loader as configured (worker processes) timed alone.

The steps and the modes: ``cmid_mm.engine.step_benchmark`` (``PretrainStepBenchmark``,
``run_loader``, ``run_scaling``).
"""
import argparse
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

import cmid_mm  # noqa: F401
from cmid_mm.utils.cli import keep_freed_memory
from cmid_mm.engine.step_benchmark import (BARE_TOGGLES, TOGGLES, PretrainStepBenchmark,
                                           load_average, peak_rss_mib,
                                           peak_rss_mib_in_subprocess, rss_mib, run_loader,
                                           run_scaling, summary)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--batch-size', type=int, default=None, help="default: the config's")
    parser.add_argument('--img-size', type=int, default=None, help="default: the config's")
    parser.add_argument('--rounds', type=int, default=None, help='default 8 (--scaling: 2)')
    parser.add_argument('--warmup', type=int, default=None, help='default 2 (--scaling: 1)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--queue-len', type=int, default=None, help='override the MoCo queue')
    parser.add_argument('--compare', action='store_true',
                        help='also time the bare backbone and print the ratio CMID / bare')
    parser.add_argument('--variants', nargs='+', default=['cmid'], metavar='VARIANT',
                        help='bare, cmid (the default), toggles joined by +: '
                        + ', '.join(TOGGLES) + '; or bare+ and toggles: '
                        + ', '.join(BARE_TOGGLES))
    parser.add_argument('--rss', action='store_true',
                        help='peak RSS of each variant alone, in a separate process each')
    parser.add_argument('--profile', type=int, nargs='?', const=15, default=None, metavar='N',
                        help='profile the CMID step, list the top N operators (default 15)')
    parser.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                        help='override config keys, as tools/train.py')
    parser.add_argument('--scaling', action='store_true',
                        help='table of step time and peak RSS over --batches x --sizes')
    parser.add_argument('--batches', type=int, nargs='+', default=[8, 16, 32])
    parser.add_argument('--sizes', type=int, nargs='+', default=[128, 224, 320])
    parser.add_argument('--also', nargs='+', default=[], metavar='CONFIG',
                        help='--scaling: configs timed at their image size, the first batch')
    parser.add_argument('--cell-timeout', type=float, default=600, help='seconds per cell')
    parser.add_argument('--max-rss-gib', type=float, default=12, help='resident memory per cell')
    parser.add_argument('--loader', action='store_true',
                        help="the config's train pipeline against the step, in images/s")
    args = parser.parse_args()
    if args.loader and (args.batch_size or args.img_size):
        parser.error('--loader times the config\'s own batch and image size (change them in '
                     'the config or with --cfg-options)')
    scaling = args.scaling
    args.rounds = args.rounds if args.rounds is not None else (2 if scaling else 8)
    args.warmup = args.warmup if args.warmup is not None else (1 if scaling else 2)
    return args


def load_config(path, cfg_options):
    cfg = Config.fromfile(path)
    if cfg_options:  # mmengine's KEY=VALUE parsing, as tools/train.py
        options = argparse.ArgumentParser()
        options.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(options.parse_args(['--o', *cfg_options]).o)
    return cfg


def main():
    args = parse_args()
    print(keep_freed_memory())  # as tools/train.py; CMID_MALLOC_TUNING=0 for glibc defaults
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.scaling:
        return run_scaling(args, __file__, load_config)
    cfg = load_config(args.config, args.cfg_options)
    MMLogger.get_instance('benchmark', log_level='WARNING')  # no per-parameter init report
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    bench = PretrainStepBenchmark(cfg, args.batch_size, args.img_size, args.device,
                                  args.queue_len)
    if args.loader:
        return run_loader(args, cfg, bench)
    names = list(dict.fromkeys((['bare'] if args.compare else []) + args.variants))
    build_mib = rss_mib()
    load_before = load_average()
    times = bench.rounds(names, args.rounds, args.warmup)
    peak_mib = peak_rss_mib()
    print(f'config: {args.config}')
    print(f'device: {args.device}, threads: {torch.get_num_threads()}, batch: '
          f'{bench.batch_size}, img: {bench.img_size}, rounds: {args.rounds} '
          f'(+{args.warmup} warm-up), variants interleaved: {" ".join(names)}')
    print(f'{load_before} before, {load_average()[29:]} after')
    print('\n'.join(summary(times, bench.batch_size)))
    print(f'RSS after the build: {build_mib:.0f} MiB')  # model, optimizer, batch
    print(f'peak RSS: {peak_mib:.0f} MiB')
    if args.rss:
        child = [sys.executable, __file__, args.config, '--batch-size', str(bench.batch_size),
                 '--img-size', str(bench.img_size), '--device', args.device, '--rounds', '1',
                 '--warmup', '1', '--threads', str(torch.get_num_threads())]
        child += ['--queue-len', str(args.queue_len)] if args.queue_len else []
        child += ['--cfg-options', *args.cfg_options] if args.cfg_options else []
        for name in names:
            mib = peak_rss_mib_in_subprocess(child + ['--variants', name])
            print(f'peak RSS of {name} alone (separate process): {mib:.0f} MiB')
    if args.profile is not None:
        print('\n'.join(bench.profile(args.rounds, args.profile)))


if __name__ == '__main__':
    main()
