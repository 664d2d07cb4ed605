"""Speed and memory of a CMID pretraining step, against the bare backbone, and where it goes.

    python tools/analysis_tools/benchmark_pretrain.py CONFIG [--batch-size B] [--img-size S]
        [--rounds 8] [--warmup 2] [--device cpu] [--threads N] [--compare]
        [--variants NAME ...] [--rss] [--profile [N]]

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
  ``fft-per-image`` (the official per-image FFTs of the frequency loss), ``channels-last``,
  ``bf16`` (CPU bf16 autocast, ``tools/train.py --amp``), combined with ``+``.
- ``--rss``: also the peak RSS of each variant alone, each in a separate process.
- ``--profile [N]``: torch.profiler over ``--rounds`` CMID steps; prints the forward time of
  each part of the model (backbone, necks, decoder, teacher parts; inclusive) and the top N
  operators by self time (forward and backward).

The steps themselves: ``cmid_mm.engine.step_benchmark.PretrainStepBenchmark``.
"""
import argparse
import sys

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

import cmid_mm  # noqa: F401
from cmid_mm.utils.cli import keep_freed_memory
from cmid_mm.engine.step_benchmark import (TOGGLES, PretrainStepBenchmark, load_average,
                                           peak_rss_mib, peak_rss_mib_in_subprocess, summary)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--batch-size', type=int, default=None, help="default: the config's")
    parser.add_argument('--img-size', type=int, default=None, help="default: the config's")
    parser.add_argument('--rounds', type=int, default=8)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--queue-len', type=int, default=None, help='override the MoCo queue')
    parser.add_argument('--compare', action='store_true',
                        help='also time the bare backbone and print the ratio CMID / bare')
    parser.add_argument('--variants', nargs='+', default=['cmid'], metavar='VARIANT',
                        help='bare, cmid (the default) or toggles joined by +: '
                        + ', '.join(TOGGLES))
    parser.add_argument('--rss', action='store_true',
                        help='peak RSS of each variant alone, in a separate process each')
    parser.add_argument('--profile', type=int, nargs='?', const=15, default=None, metavar='N',
                        help='profile the CMID step, list the top N operators (default 15)')
    args = parser.parse_args()
    print(keep_freed_memory())  # as tools/train.py; CMID_MALLOC_TUNING=0 for glibc defaults
    if args.threads:
        torch.set_num_threads(args.threads)
    names = list(dict.fromkeys((['bare'] if args.compare else []) + args.variants))

    cfg = Config.fromfile(args.config)
    MMLogger.get_instance('benchmark', log_level='WARNING')  # no per-parameter init report
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    bench = PretrainStepBenchmark(cfg, args.batch_size, args.img_size, args.device,
                                  args.queue_len)
    load_before = load_average()
    times = bench.rounds(names, args.rounds, args.warmup)
    rss_mib = peak_rss_mib()
    print(f'config: {args.config}')
    print(f'device: {args.device}, threads: {torch.get_num_threads()}, batch: '
          f'{bench.batch_size}, img: {bench.img_size}, rounds: {args.rounds} '
          f'(+{args.warmup} warm-up), variants interleaved: {" ".join(names)}')
    print(f'{load_before} before, {load_average()[29:]} after')
    print('\n'.join(summary(times, bench.batch_size)))
    print(f'peak RSS: {rss_mib:.0f} MiB')
    if args.rss:
        child = [sys.executable, __file__, args.config, '--batch-size', str(bench.batch_size),
                 '--img-size', str(bench.img_size), '--device', args.device, '--rounds', '1',
                 '--warmup', '1', '--threads', str(torch.get_num_threads())]
        child += ['--queue-len', str(args.queue_len)] if args.queue_len else []
        for name in names:
            mib = peak_rss_mib_in_subprocess(child + ['--variants', name])
            print(f'peak RSS of {name} alone (separate process): {mib:.0f} MiB')
    if args.profile is not None:
        print('\n'.join(bench.profile(args.rounds, args.profile)))


if __name__ == '__main__':
    main()
