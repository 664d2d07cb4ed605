"""Speed and memory of a CMID pretraining step, against the bare backbone, and where it goes.

    python tools/analysis/benchmark_pretrain.py CONFIG [--batch-size 8] [--img-size 224]
        [--iters 5] [--warmup 2] [--device cpu] [--threads N] [--compare] [--profile [N]]

On one synthetic batch (random images through the config's ``CMIDTwoViews``):

- CMID step (always): ``model(..., mode='loss')``, backward, optimizer step (the config's
  optimizer). Prints ms/step, images/s (images = B source images per step) and peak RSS.
- ``--compare``: also the bare backbone doing the work CMID cannot avoid, in the same process:
  the student backbone forward + backward on both masked views (one batch of 2B), the teacher
  backbone forward on both clean views (no grad), optimizer step of the backbone and mask
  token; prints the time ratio CMID / bare.
- ``--profile [N]``: torch.profiler over ``--iters`` CMID steps; prints the forward time of
  each part of the model (backbone, necks, decoder, teacher parts; inclusive) and the top N
  operators by self time (forward and backward).

The steps themselves: ``cmid_mm.engine.step_benchmark.PretrainStepBenchmark``.
"""
import argparse
import resource

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

import cmid_mm  # noqa: F401
from cmid_mm.engine.step_benchmark import PretrainStepBenchmark


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--img-size', type=int, default=224)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--queue-len', type=int, default=None, help='override the MoCo queue')
    parser.add_argument('--compare', action='store_true',
                        help='also time the bare backbone and print the ratio CMID / bare')
    parser.add_argument('--profile', type=int, nargs='?', const=15, default=None, metavar='N',
                        help='profile the CMID step, list the top N operators (default 15)')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    cfg = Config.fromfile(args.config)
    MMLogger.get_instance('benchmark', log_level='WARNING')  # no per-parameter init report
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    bench = PretrainStepBenchmark(cfg, args.batch_size, args.img_size, args.device,
                                  args.queue_len)
    t_bare = bench.time(bench.bare_step, args.iters, args.warmup) if args.compare else None
    t_cmid = bench.time(bench.cmid_step, args.iters, args.warmup)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    b = args.batch_size
    print(f'config: {args.config}')
    print(f'device: {args.device}, threads: {torch.get_num_threads()}, batch: {b}, '
          f'img: {args.img_size}, iters: {args.iters} (+{args.warmup} warm-up)')
    if args.compare:
        print(f'bare backbone: {t_bare * 1000:8.1f} ms/step  {b / t_bare:7.2f} img/s')
    print(f'CMID step:     {t_cmid * 1000:8.1f} ms/step  {b / t_cmid:7.2f} img/s')
    if args.compare:
        print(f'ratio CMID / bare: {t_cmid / t_bare:.3f}')
    print(f'peak RSS: {rss_mib:.0f} MiB')
    if args.profile is not None:
        print('\n'.join(bench.profile(args.iters, args.profile)))


if __name__ == '__main__':
    main()
