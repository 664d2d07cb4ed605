"""Speed of a CMID pretraining step against the bare backbone's share of it, and where it goes."""
import time
from contextlib import contextmanager
from typing import Callable, List, Optional

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch.autograd.profiler import record_function

from ..datasets.transforms import CMIDTwoViews


class PretrainStepBenchmark:
    """The model, optimizer and one synthetic batch of a CMID config, and the steps to time.

    The batch: ``batch_size`` random images through the config's ``CMIDTwoViews`` (at
    ``img_size``, photometric pipelines left out) and the model's data preprocessor.

    - :meth:`cmid_step`: ``model(..., mode='loss')``, backward and the config's optimizer step.
    - :meth:`bare_step`: the work CMID cannot avoid: the student backbone forward + backward on
      both masked views (one batch of 2B, with the mask token), the teacher backbone forward on
      both clean views (no grad), an optimizer step of exactly the parameters it gives gradients
      (backbone and mask token), which it then zeroes, so nothing leaks into the next CMID step.
    """

    def __init__(self, cfg: Config, batch_size: int = 8, img_size: int = 224,
                 device: str = 'cpu', queue_len: Optional[int] = None):
        if queue_len and cfg.model.get('global_head'):
            cfg.model.global_head.queue_len = queue_len
        self.device = device
        # mmpretrain's CosineEMA (the teacher) reads the schedule length from the MessageHub,
        # which a Runner fills; here the momentum of a long run's start.
        hub = MessageHub.get_current_instance()
        hub.update_info('iter', 0)
        hub.update_info('max_iters', 10000)
        torch.manual_seed(0)
        self.model = MODELS.build(cfg.model)
        self.model.init_weights()
        self.model.train()
        self.model.to(device)
        data = self.model.data_preprocessor(self._samples(cfg, batch_size, img_size), True)
        self.inputs, self.data_samples = data['inputs'], data['data_samples']
        self.images = torch.cat(self.inputs)
        self.masks = self.model.stack_views(self.data_samples, 'mask', self.images.device)
        self.optim = build_optim_wrapper(self.model, cfg.optim_wrapper)
        bare = nn.Module()
        bare.backbone = self.model.backbone
        bare.register_parameter('mask_token', self.model.mask_token)
        self.bare_optim = build_optim_wrapper(bare, cfg.optim_wrapper)

    @staticmethod
    def _samples(cfg, batch_size, img_size) -> dict:
        views_cfg = next(t for t in cfg.train_dataloader.dataset.pipeline
                         if t['type'] == 'CMIDTwoViews')
        views_cfg = {k: v for k, v in views_cfg.items() if k != 'type'}
        views_cfg.update(img_size=img_size, view_pipelines=[[], []])
        views = CMIDTwoViews(**views_cfg)
        bands = cfg.model.backbone.get('in_channels', 3)
        rng = np.random.default_rng(0)
        samples = [views(dict(img=rng.integers(0, 255, (img_size, img_size, bands), np.uint8)))
                   for _ in range(batch_size)]
        inputs = [torch.stack([torch.from_numpy(s['img'][v]).permute(2, 0, 1) for s in samples])
                  for v in range(2)]
        data_samples = [DataSample(crop_boxes=s['crop_boxes']).set_mask(s['mask'])
                        for s in samples]
        return dict(inputs=inputs, data_samples=data_samples)

    def cmid_step(self) -> None:
        losses = self.model(self.inputs, self.data_samples, mode='loss')
        self.optim.update_params(sum(losses.values()))

    def bare_step(self) -> None:
        model = self.model
        feat = model.encode_masked(self.images, self.masks)
        if model.teacher is not None:
            with torch.no_grad():
                model.teacher.module.backbone(self.images)
        self.bare_optim.update_params(feat.float().mean())

    def _sync(self) -> None:
        if self.device.startswith('cuda'):
            torch.cuda.synchronize()

    def time(self, step: Callable[[], None], iters: int, warmup: int) -> float:
        """Seconds per call of ``step``, after ``warmup`` untimed calls."""
        for _ in range(warmup):
            step()
        self._sync()
        start = time.perf_counter()
        for _ in range(iters):
            step()
        self._sync()
        return (time.perf_counter() - start) / iters

    def profile(self, iters: int, top: int) -> List[str]:
        """torch.profiler over ``iters`` CMID steps: the report lines (forward time of each
        part of the model, inclusive, and the ``top`` operators by self time)."""
        cuda = self.device.startswith('cuda')
        activities = [torch.profiler.ProfilerActivity.CPU]
        if cuda:
            activities.append(torch.profiler.ProfilerActivity.CUDA)
        with labelled_parts(self.model), torch.profiler.profile(activities=activities) as prof:
            for _ in range(iters):
                self.cmid_step()
            self._sync()
        events = prof.key_averages()
        sort = 'self_cpu_time_total'
        if cuda:  # torch >= 2.4 calls the CUDA self time 'device' time
            sort = next(a for a in ('self_device_time_total', 'self_cuda_time_total')
                        if hasattr(events[0], a))
        parts = sorted((e for e in events if e.key.startswith('part::')),
                       key=lambda e: -e.cpu_time_total)
        lines = [f'profile of {iters} CMID steps: forward time per part (inclusive, CPU clock)']
        lines += [f'  {e.key[6:]:<22} {e.cpu_time_total / 1000 / iters:8.1f} ms/step'
                  for e in parts]
        ops = sorted((e for e in events if not e.key.startswith('part::')),
                     key=lambda e: -getattr(e, sort))[:top]
        lines.append(f'top {top} operators by self time (forward and backward):')
        lines += [f'  {e.key[:40]:<40} {getattr(e, sort) / 1000 / iters:8.1f} ms/step  '
                  f'{e.count // iters:5d} calls/step' for e in ops]
        return lines


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
