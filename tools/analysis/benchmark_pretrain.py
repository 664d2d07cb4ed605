"""Speed and memory of a CMID pretraining step, against the bare backbone, and where it goes.

    python tools/analysis/benchmark_pretrain.py CONFIG [--batch-size 8] [--img-size 224]
        [--iters 5] [--warmup 2] [--device cpu] [--threads N] [--compare] [--profile [N]]

On one synthetic batch (random images through the config's ``CMIDTwoViews``):

- CMID step (always): ``model(..., mode='loss')``, backward, optimizer step (the config's
  optimizer). Prints ms/step, images/s (images = B source images per step) and peak RSS.
- ``--compare``: also the bare backbone doing the work CMID cannot avoid, in the same process:
  the student backbone forward + backward on both masked views (one batch of 2B), the teacher
  backbone forward on both clean views (no grad), optimizer step of the backbone's parameters;
  prints the time ratio CMID / bare.
- ``--profile [N]``: torch.profiler over ``--iters`` CMID steps; prints the forward time of
  each part of the model (backbone, necks, decoder, teacher parts; inclusive) and the top N
  operators by self time (forward and backward).
"""
import argparse
import resource
import time
from contextlib import contextmanager

import numpy as np
import torch
from torch.autograd.profiler import record_function
from mmengine.config import Config
from mmengine.logging import MessageHub, MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import cmid_mm  # noqa: F401
from cmid_mm.datasets import CMIDTwoViews
from cmid_mm.models import fill_masked_with_mean


def make_batch(model, cfg, batch_size, img_size, device):
    views_cfg = next(t for t in cfg.train_dataloader.dataset.pipeline if t['type'] == 'CMIDTwoViews')
    views_cfg = {k: v for k, v in views_cfg.items() if k != 'type'}
    views_cfg.update(img_size=img_size, view_pipelines=[[], []])
    views = CMIDTwoViews(**views_cfg)
    bands = cfg.model.backbone.get('in_channels', 3)
    rng = np.random.default_rng(0)
    samples = [views(dict(img=rng.integers(0, 255, (img_size, img_size, bands), np.uint8)))
               for _ in range(batch_size)]
    inputs = [torch.stack([torch.from_numpy(s['img'][v]).permute(2, 0, 1) for s in samples])
              for v in range(2)]
    data_samples = [DataSample(crop_boxes=s['crop_boxes']).set_mask(s['mask']) for s in samples]
    model.to(device)
    return model.data_preprocessor(dict(inputs=inputs, data_samples=data_samples), True)


def timed(step, iters, warmup, device):
    for _ in range(warmup):
        step()
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(iters):
        step()
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / iters


@contextmanager
def labelled_parts(model):
    """Mark each part's forward as a ``part::NAME`` range for the profiler (via forward hooks:
    the model code is not touched). Heads are called through ``loss()``, not ``forward``."""
    parts = {name: getattr(model, name, None)
             for name in ('backbone', 'global_neck', 'local_neck', 'decoder')}
    if model.teacher is not None:
        parts.update({f'teacher.{name}': getattr(model.teacher.module, name, None)
                      for name in ('backbone', 'global_neck', 'local_neck')})
    handles, open_ranges = [], {}
    for name, module in parts.items():
        if module is None:
            continue

        def enter(mod, args, name=name):
            open_ranges[name] = record_function(f'part::{name}')
            open_ranges[name].__enter__()

        def leave(mod, args, out, name=name):
            open_ranges.pop(name).__exit__(None, None, None)

        handles += [module.register_forward_pre_hook(enter), module.register_forward_hook(leave)]
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def profile(step, iters, device, top):
    cuda = device.startswith('cuda')
    activities = [torch.profiler.ProfilerActivity.CPU]
    if cuda:
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    with torch.profiler.profile(activities=activities) as prof:
        for _ in range(iters):
            step()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
    events = prof.key_averages()
    sort = 'self_cpu_time_total'
    if cuda:  # torch >= 2.4 calls the CUDA self time 'device' time
        sort = next(a for a in ('self_device_time_total', 'self_cuda_time_total')
                    if hasattr(events[0], a))
    parts = sorted((e for e in events if e.key.startswith('part::')),
                   key=lambda e: -e.cpu_time_total)
    print(f'profile of {iters} CMID steps: forward time per part (inclusive, CPU clock)')
    for e in parts:
        print(f'  {e.key[6:]:<22} {e.cpu_time_total / 1000 / iters:8.1f} ms/step')
    ops = [e for e in events if not e.key.startswith('part::')]
    ops = sorted(ops, key=lambda e: -getattr(e, sort))[:top]
    print(f'top {top} operators by self time (forward and backward):')
    for e in ops:
        print(f'  {e.key[:40]:<40} {getattr(e, sort) / 1000 / iters:8.1f} ms/step  '
              f'{e.count // iters:5d} calls/step')


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
    if args.queue_len and cfg.model.get('global_head'):
        cfg.model.global_head.queue_len = args.queue_len
    hub = MessageHub.get_current_instance()
    hub.update_info('iter', 0)
    hub.update_info('max_iters', 10000)
    hub.update_info('max_epochs', 100)

    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    data = make_batch(model, cfg, args.batch_size, args.img_size, args.device)
    inputs, data_samples = data['inputs'], data['data_samples']
    optim = build_optim_wrapper(model, cfg.optim_wrapper)

    def cmid_step():
        losses = model(inputs, data_samples, mode='loss')
        optim.update_params(sum(losses.values()))

    images = torch.cat(inputs)
    masks = torch.stack([torch.as_tensor(s.mask) for s in data_samples], 1).flatten(0, 1)
    masks = masks.to(images.device)
    student, teacher = model.backbone, model.teacher.module.backbone if model.teacher else None
    bare_optim = build_optim_wrapper(student, cfg.optim_wrapper)

    def bare_step():
        feat = student(fill_masked_with_mean(images, masks), mask=masks,
                       mask_token=model.mask_token)[-1]
        if teacher is not None:
            with torch.no_grad():
                teacher(images)
        bare_optim.update_params(feat.float().mean())

    t_bare = timed(bare_step, args.iters, args.warmup, args.device) if args.compare else None
    t_cmid = timed(cmid_step, args.iters, args.warmup, args.device)
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
        with labelled_parts(model):
            profile(cmid_step, args.iters, args.device, args.profile)


if __name__ == '__main__':
    main()
