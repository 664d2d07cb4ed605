"""Images/s of a detection training step for several configs, in interleaved rounds.

    python tools/analysis_tools/benchmark_detection.py CONFIG [CONFIG ...] [--img-size 1024]
        [--batch-size 1] [--rounds 5] [--warmup 1] [--threads N]

Each config's detector (random init) trains on one synthetic batch (random images, 20 random
rotated boxes, or their enclosing horizontal boxes for a horizontal detector); one step is the
loss, backward and the config's optimizer update. After ``--warmup`` untimed steps of each,
the configs take turns (A, B, A, B, ...) for ``--rounds`` rounds; prints the median and the
min-max of images/s per config and the load average before and after.
"""
import argparse
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger

import cmid_mm  # noqa: F401  registers the oriented-detection modules
from cmid_mm.detection.benchmark import (DetectionStepBenchmark, interleaved_rounds,
                                         load_average, summary_line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--img-size', type=int, default=1024)
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    MMLogger.get_instance('benchmark', log_level='WARNING')  # no per-parameter init report
    print(f'load average before: {load_average()}')
    benches = {osp.splitext(osp.basename(c))[0]: DetectionStepBenchmark(
        Config.fromfile(c), args.img_size, args.batch_size) for c in args.configs}
    speeds = interleaved_rounds(benches, args.rounds, args.warmup)
    print(f'training step, {args.img_size} px, batch {args.batch_size}, threads '
          f'{torch.get_num_threads()}, {args.rounds} rounds (+{args.warmup} warm-up each)')
    for name, values in speeds.items():
        print(summary_line(name, values))
    print(f'load average after: {load_average()}')


if __name__ == '__main__':
    main()
