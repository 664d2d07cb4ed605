"""Equal-budget SSL benchmark: pretrain each method / seed, evaluate its frozen backbone, print a
markdown table (mean ± std over seeds) and, for full CMID, where it is ahead beyond seed noise.

    python tools/analysis_tools/ssl_benchmark.py [--methods random mocov2 ... cmid]
        [--seeds 0 1] [--iters N] [--work-dir work_dirs/ssl_benchmark] [--max-new-runs N]
        [--stop-after SECONDS] [--train-data DIR] [--knn-data data/rs_knn/neon_sites]
        [--seg-data DIR]

Methods are the configs of configs/ssl_benchmark/ (``random``: no pretraining). Measures:
kNN top-1 and linear probe on ``--knn-data`` (train.txt bank, val.txt queries), and the mIoU of
a per-pixel linear head on the frozen backbone's stage features over tree-cover masks of the
NEON deepforest scenes (built into ``--seg-data`` on first use). Finished runs are cached in
the work dir and skipped; ``--max-new-runs`` / ``--stop-after`` start no new run after that many
new runs / seconds (so that the benchmark runs in pieces); the table shows what is finished.
"""
import argparse
import os
import os.path as osp
import platform
import time

from cmid_mm.evaluation.ssl_benchmark import (METHODS, BenchmarkError, markdown_table,
                                              prepare_tree_cover, run_one, summarize, verdicts)
from cmid_mm.utils import CLIError, run_cli


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--methods', nargs='+', default=list(METHODS), metavar='METHOD',
                        help=f'default: all of {", ".join(METHODS)}')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1])
    parser.add_argument('--iters', type=int, default=None,
                        help='pretraining iterations (default: the configs\' 60); the '
                        'schedules are scaled to it')
    parser.add_argument('--work-dir', default='work_dirs/ssl_benchmark')
    parser.add_argument('--max-new-runs', type=int, default=None,
                        help='stop after this many runs that were not cached')
    parser.add_argument('--stop-after', type=float, default=None, metavar='SECONDS',
                        help='start no new run after this many seconds (a benchmark in pieces)')
    parser.add_argument('--train-data', default=None,
                        help='unlabelled image folder root (default: the configs\' '
                        'data/neon_demo_128px/)')
    parser.add_argument('--knn-data', default='data/rs_knn/neon_sites',
                        help='CustomDataset root with train.txt, val.txt, classes.txt, images/')
    parser.add_argument('--seg-data', default=None,
                        help='tree-cover tiles ({train,val}/{img,mask}/*.png; default: '
                        'WORK_DIR/tree_cover, built from deepforest when missing)')
    return parser.parse_args()


def main():
    args = parse_args()
    unknown = [m for m in args.methods if m not in METHODS]
    if unknown:
        raise CLIError(f'unknown --methods {" ".join(unknown)}; choose from {" ".join(METHODS)}')
    if args.iters is not None and args.iters < 1:
        raise CLIError(f'--iters {args.iters} must be >= 1')
    seg_data = args.seg_data or osp.join(args.work_dir, 'tree_cover')
    if args.seg_data is None and not osp.isdir(osp.join(seg_data, 'val', 'mask')):
        print('tree-cover tiles:', prepare_tree_cover(seg_data))
    os.environ.setdefault('OMP_NUM_THREADS', '2')
    results, new_runs, stopped, start = [], 0, False, time.perf_counter()
    # method-major, in --methods order: a stopped benchmark has every seed of its first methods
    for method in args.methods:
        for seed in args.seeds:
            late = args.stop_after is not None and time.perf_counter() - start > args.stop_after
            if late or (args.max_new_runs is not None and new_runs >= args.max_new_runs):
                stopped = True
            result = run_one(method, seed, args.work_dir, args.iters, args.knn_data, seg_data,
                             args.train_data, cached_only=stopped)
            if result is not None:
                new_runs += not result['cached']
                results.append(result)
    summary = summarize(results, [m for m in METHODS if m in args.methods])  # table order
    print()
    print(f'SSL benchmark, {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, '
          f'load average {" ".join(f"{x:.2f}" for x in os.getloadavg())} '
          f'({os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, '
          f'OMP_NUM_THREADS={os.environ["OMP_NUM_THREADS"]})')
    print(markdown_table(summary))
    for line in verdicts(summary):
        print(line)
    if stopped:
        print(f'stopped after {new_runs} new runs (--max-new-runs / --stop-after): rerun to '
              'continue')


if __name__ == '__main__':
    run_cli(main, user_errors=(BenchmarkError, ))
