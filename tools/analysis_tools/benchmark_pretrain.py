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
  ``fft-per-image`` (the official per-image FFTs of the frequency loss), ``channels-last``,
  ``bf16`` (CPU bf16 autocast, ``tools/train.py --amp``), combined with ``+``.
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

The steps themselves: ``cmid_mm.engine.step_benchmark.PretrainStepBenchmark``.
"""
import argparse
import os
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

import cmid_mm  # noqa: F401
from cmid_mm.utils.cli import keep_freed_memory
from cmid_mm.engine.step_benchmark import (SCALING_HEADER, TOGGLES, PretrainStepBenchmark,
                                           linear_fit, load_average, loader_summary,
                                           loader_throughput, parse_step_report, peak_rss_mib,
                                           predicted_skip,
                                           peak_rss_mib_in_subprocess, pipeline_batches,
                                           rss_mib, run_guarded, scaling_row, summary)


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
                        help='bare, cmid (the default) or toggles joined by +: '
                        + ', '.join(TOGGLES))
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


def model_label(cfg):
    backbone = cfg.model.backbone
    name = backbone.type.removeprefix('CMID')
    return f'{name}-{backbone.get("depth") or backbone.get("arch")}'


def main():
    args = parse_args()
    print(keep_freed_memory())  # as tools/train.py; CMID_MALLOC_TUNING=0 for glibc defaults
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.scaling:
        return scaling(args)
    cfg = load_config(args.config, args.cfg_options)
    MMLogger.get_instance('benchmark', log_level='WARNING')  # no per-parameter init report
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    bench = PretrainStepBenchmark(cfg, args.batch_size, args.img_size, args.device,
                                  args.queue_len)
    if args.loader:
        return loader(args, cfg, bench)
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


def loader(args, cfg, bench):
    """The config's pipeline (one worker's work) and the CMID step in interleaved rounds."""
    workers = cfg.train_dataloader.get('num_workers', 0)
    bench.batches = pipeline_batches(cfg)
    load_before = load_average()
    times = bench.rounds(['loader', 'cmid'], args.rounds, args.warmup)
    load_after = load_average()[29:]
    delivered, _ = loader_throughput(cfg, args.rounds)
    step_rate = bench.batch_size / float(torch.tensor(times['cmid']).median())
    print(f'config: {args.config}')
    print(f'device: {args.device}, threads: {torch.get_num_threads()}, batch: '
          f'{bench.batch_size}, img: {bench.img_size}, num_workers: {workers}, rounds: '
          f'{args.rounds} (+{args.warmup} warm-up), interleaved: pipeline batch, CMID step')
    print(f'{load_before} before, {load_after} after the rounds')
    print('\n'.join(loader_summary(times, bench.batch_size, workers)))
    print(f'loader as configured (num_workers={workers}), alone, {args.rounds} batches after '
          f'the first: {delivered:.1f} img/s, {delivered / step_rate:.1f} x the step\'s '
          'median img/s')


def scaling(args):
    """Each cell in its own process (this tool, variant cmid), guarded; rows as they come."""
    threads = args.threads or torch.get_num_threads()
    limit_mib = args.max_rss_gib * 1024
    cells = [(args.config, size, batch) for size in args.sizes for batch in args.batches]
    cells += [(config, None, args.batches[0]) for config in args.also]
    print(f'scaling: CMID step (model, loss, backward, optimizer step, EMA) per cell in a '
          f'separate process, device: {args.device}, threads: {threads}, {args.rounds} timed '
          f'rounds (+{args.warmup} warm-up) per cell: how cost grows, not an A/B comparison')
    print(f'guards: {args.cell_timeout:.0f} s and {limit_mib:.0f} MiB resident per cell')
    print(f'{load_average()} at the start')
    measured, notes = {}, []
    rows = list(SCALING_HEADER)
    print('\n'.join(rows), flush=True)
    for config, img, batch in cells:
        cfg = load_config(config, args.cfg_options)
        own = PretrainStepBenchmark._views_cfg(cfg)['img_size']
        img = img or own
        label = model_label(cfg)
        options = list(args.cfg_options)
        if img != own and cfg.model.get('local_head'):
            pairs = max(1, round(cfg.model.local_head.num_pairs * (img / own) ** 2))
            options.append(f'model.local_head.num_pairs={pairs}')
            note = f'{label} {img} px: local_head.num_pairs {pairs}'
            notes += [note] if note not in notes else []
        child = [sys.executable, __file__, config, '--batch-size', str(batch), '--img-size',
                 str(img), '--device', args.device, '--rounds', str(args.rounds), '--warmup',
                 str(args.warmup), '--threads', str(threads), '--variants', 'cmid']
        child += ['--queue-len', str(args.queue_len)] if args.queue_len else []
        child += ['--cfg-options', *options] if options else []
        done = measured.setdefault((label, img), {})
        why = predicted_skip(done, batch, args.rounds + args.warmup, args.cell_timeout,
                             limit_mib)
        load_1min, cell = os.getloadavg()[0], None
        if why is None:
            code, out, err, why = run_guarded(child, args.cell_timeout, limit_mib)
            if why is None and code:
                why = f'failed, exit {code}: {(err.strip().splitlines() or [""])[-1][:200]}'
            elif why is None:
                cell = done[batch] = parse_step_report(out)
        rows.append(scaling_row(label, img, batch, cell, load_1min, why))
        print(rows[-1], flush=True)
    print(f'{load_average()} at the end')
    if notes:
        print('off the config\'s image size, local pairs scale with the cells: '
              + '; '.join(notes))
    print('\n'.join(scaling_fits(measured)))


def scaling_fits(measured):
    """Least-squares lines through the measured cells: time and memory against batch at each
    size, time against pixels at each batch; a constant term is cost that does not grow."""
    lines = []
    for (label, img), cells in measured.items():
        if len(cells) >= 2:
            batches = sorted(cells)
            a, b, r = linear_fit(batches, [cells[k]['ms'] for k in batches])
            c, d, q = linear_fit(batches, [cells[k]['peak_mib'] for k in batches])
            lines.append(f'{label} {img} px, batches {" ".join(map(str, batches))}: ms/step = '
                         f'{line(a, b)} x batch (largest residual {r:.1%}); peak RSS = '
                         f'{line(c, d)} x batch MiB (largest residual {q:.1%})')
    by_batch = {}
    for (label, img), cells in measured.items():
        for batch, cell in cells.items():
            by_batch.setdefault((label, batch), {})[img] = cell
    for (label, batch), cells in by_batch.items():
        if len(cells) >= 2:
            sizes = sorted(cells)
            a, b, r = linear_fit([(s / 224) ** 2 for s in sizes], [cells[s]['ms'] for s in sizes])
            lines.append(f'{label} batch {batch}, {" ".join(map(str, sizes))} px: ms/step = '
                         f'{line(a, b)} x (img/224)^2 (largest residual {r:.1%})')
    return lines


def line(a, b):
    return f'{a:.0f} {"-" if b < 0 else "+"} {abs(b):.0f}'


if __name__ == '__main__':
    main()
