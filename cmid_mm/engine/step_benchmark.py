"""Speed of a CMID pretraining step against the bare backbone's share of it, and where it goes.

Variants (the bare backbone, the CMID step, the CMID step with one optimisation undone or one
candidate added, the bare backbone in bf16 or channels-last) are timed in interleaved rounds,
A B A B ..., so that a change of the machine's load hits them alike; the per-round ratio is
what to compare, with its spread. Also: the config's train pipeline timed against the step
(:func:`pipeline_batches`, :func:`loader_summary`), and separate guarded processes for a
scaling table (:func:`run_guarded`, :func:`parse_step_report`, :func:`scaling_row`,
:func:`linear_fit`).
"""
import copy
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager, nullcontext
from typing import (Callable, ContextManager, Dict, Iterator, List, Optional, Sequence,
                    Tuple)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch.autograd.profiler import record_function

from ..datasets.transforms import CMIDTwoViews
from ..models.utils.onednn_linear import mkl_linear
from .optimizers.cpu_autocast_optim_wrapper import CPUAutocastOptimWrapper


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

    #: batches of the config's train pipeline, for the ``'loader'`` variant
    batches: Optional[Iterator] = None

    def __init__(self, cfg: Config, batch_size: Optional[int] = None,
                 img_size: Optional[int] = None, device: str = 'cpu',
                 queue_len: Optional[int] = None):
        batch_size = batch_size or cfg.train_dataloader.batch_size
        img_size = img_size or self._views_cfg(cfg)['img_size']
        self.batch_size, self.img_size = batch_size, img_size
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
        self.bare = nn.Module()
        self.bare.backbone = self.model.backbone
        self.bare.register_parameter('mask_token', self.model.mask_token)
        self.bare_optim = build_optim_wrapper(self.bare, cfg.optim_wrapper)

    @staticmethod
    def _views_cfg(cfg) -> dict:
        pipeline = cfg.train_dataloader.dataset.pipeline
        views_cfg = next((t for t in pipeline if t['type'] == 'CMIDTwoViews'), None)
        if views_cfg is None:
            raise ValueError('PretrainStepBenchmark: the config\'s '
                             'train_dataloader.dataset.pipeline has no CMIDTwoViews')
        return {k: v for k, v in views_cfg.items() if k != 'type'}

    @classmethod
    def _samples(cls, cfg, batch_size, img_size) -> dict:
        views_cfg = cls._views_cfg(cfg)
        views_cfg.update(img_size=img_size, view_pipelines=[[], []])
        views = CMIDTwoViews(**views_cfg)
        bands = cfg.model.backbone.get('in_channels', 3)
        rng = np.random.default_rng(0)
        # The views' crops, flips and masks draw from numpy's global generator: seeded here
        # (and restored after), so that every run times, and every test checks, the same batch.
        numpy_state = np.random.get_state()
        np.random.seed(0)
        try:
            samples = [views(dict(img=rng.integers(0, 255, (img_size, img_size, bands),
                                                   np.uint8)))
                       for _ in range(batch_size)]
        finally:
            np.random.set_state(numpy_state)
        inputs = [torch.stack([torch.from_numpy(s['img'][v]).permute(2, 0, 1) for s in samples])
                  for v in range(2)]
        data_samples = [DataSample(crop_boxes=s['crop_boxes']).set_mask(s['mask'])
                        for s in samples]
        return dict(inputs=inputs, data_samples=data_samples)

    def cmid_step(self) -> None:
        with self.optim.optim_context(self.model):  # as train_step: autocast, if any
            losses = self.model(self.inputs, self.data_samples, mode='loss')
        self.optim.update_params(sum(losses.values()))

    def bare_step(self) -> None:
        model = self.model
        with self.bare_optim.optim_context(self.bare):  # autocast under the bf16 toggle
            feat = model.encode_masked(self.images, self.masks)
            if model.teacher is not None:
                with torch.no_grad():
                    model.teacher.module.backbone(self.images)
        self.bare_optim.update_params(feat.float().mean())

    def _variant(self, name: str):
        """(step, context around it) of a variant: ``'bare'``, ``'cmid'``, toggles of
        :data:`TOGGLES` joined by ``+`` (the CMID step with them applied, same model and
        batch), or ``'bare+'`` and toggles of :data:`BARE_TOGGLES` (the bare step with them
        applied: the baseline of a CMID step run the same way)."""
        if name in ('bare', 'cmid'):
            return getattr(self, f'{name}_step'), nullcontext
        if name == 'loader':  # one batch of the config's pipeline (see pipeline_batches)
            if self.batches is None:
                raise ValueError("variant 'loader': set PretrainStepBenchmark.batches first")
            return lambda: next(self.batches), nullcontext
        step, toggles, allowed = self.cmid_step, name.split('+'), TOGGLES
        if toggles[0] == 'bare':
            step, toggles, allowed = self.bare_step, toggles[1:], BARE_TOGGLES
        unknown = [t for t in toggles if t not in allowed]
        if unknown:
            raise ValueError(f"unknown benchmark variant {name!r}; choose 'bare', 'cmid', "
                             f'toggles {", ".join(map(repr, TOGGLES))} joined by +, or '
                             f"'bare+' and toggles {', '.join(map(repr, BARE_TOGGLES))}")

        @contextmanager
        def applied():
            with ExitStack() as stack:
                for toggle in toggles:
                    stack.enter_context(TOGGLES[toggle](self))
                yield

        return step, applied

    def rounds(self, names: Sequence[str], rounds: int, warmup: int) -> Dict[str, List[float]]:
        """Seconds of one step of each variant per round, A B A B ..., after ``warmup``
        untimed rounds. A toggle is applied and undone outside the timed step."""
        variants = {name: self._variant(name) for name in names}
        times: Dict[str, List[float]] = {name: [] for name in names}
        for r in range(warmup + rounds):
            for name, (step, context) in variants.items():
                with context():
                    self._sync()
                    start = time.perf_counter()
                    step()
                    self._sync()
                    if r >= warmup:
                        times[name].append(time.perf_counter() - start)
        return times

    def _sync(self) -> None:
        if self.device.startswith('cuda'):
            torch.cuda.synchronize()

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
def _switched_off(owner, attr: str, variant: str, missing: str):
    """``owner.attr`` False for the variant, then as it was; ``owner`` None: the config lacks
    ``missing``."""
    if owner is None:
        raise ValueError(f"variant {variant!r}: the config has no {missing}")
    before = getattr(owner, attr)
    setattr(owner, attr, False)
    try:
        yield
    finally:
        setattr(owner, attr, before)


def _fft_per_image(bench: PretrainStepBenchmark):
    """The official focal frequency loss: one FFT per image, then the mean of the spectra."""
    loss = bench.model.rec_head.loss_freq if bench.model.rec_head is not None else None
    return _switched_off(loss, 'spectrum_of_mean', 'fft-per-image', 'rec_head.loss_freq')


@contextmanager
def _queue_one_product(bench: PretrainStepBenchmark):
    """Candidate: the global loss with both views scored against the queue in one product (on
    CPU that product is bound by reading the queue) instead of ``MoCoQueueHead``'s one per view.
    Not kept: see ``configs/cmid/README.md``."""
    head = bench.model.global_head
    if head is None:
        raise ValueError("variant 'queue-one-product': the config has no global_head")
    base = super(type(head), head)  # ContrastiveHead.loss: InfoNCE of (pos, neg)

    def one_product(query, key):
        q = F.normalize(query, dim=1)  # [q1; q2]
        k1, k2 = F.normalize(key.detach(), dim=1).chunk(2)
        queue = head.queue.clone().detach()
        # the mean over the 2B rows is the average of the two views' means (equal halves)
        loss = base.loss((q * torch.cat([k2, k1])).sum(1, keepdim=True), q @ queue)
        head._enqueue(k1, k2)
        return loss

    head.loss = one_product
    try:
        yield
    finally:
        del head.loss


@contextmanager
def _channels_last(bench: PretrainStepBenchmark):
    """The model's weights in channels-last memory format (NHWC), as ``ChannelsLastHook`` puts
    them (``tools/train.py --amp`` adds it to CMID on CPU); the first convolution converts the
    images."""
    bench.model.to(memory_format=torch.channels_last)
    try:
        yield
    finally:
        bench.model.to(memory_format=torch.contiguous_format)


@contextmanager
def _bf16(bench: PretrainStepBenchmark):
    """The CMID step's forward under CPU bf16 autocast (``CPUAutocastOptimWrapper``; with
    ``channels-last`` it is what ``tools/train.py --amp`` runs for CMID on CPU)."""
    if not bench.device.startswith('cpu'):
        raise ValueError("variant 'bf16' is CPU autocast; on a GPU train with --amp")
    optim, bare_optim = bench.optim, bench.bare_optim
    bench.optim = CPUAutocastOptimWrapper(optimizer=optim.optimizer)
    bench.bare_optim = CPUAutocastOptimWrapper(optimizer=bare_optim.optimizer)
    try:
        yield
    finally:
        bench.optim, bench.bare_optim = optim, bare_optim


def _mkl_linear(bench: PretrainStepBenchmark):
    """The heads' CPU fp32 linear layers and decoder in torch's own ops (MKL, the 1x1
    convolution), not oneDNN's matmul (``cmid_mm.models.utils.onednn_linear``)."""
    return mkl_linear()


def _dense_rec(bench: PretrainStepBenchmark):
    """The reconstruction loss from the decoder run on every feature cell, not only on those the
    loss reads (``CMIDReconstructionHead.decode_masked_cells``)."""
    return _switched_off(bench.model.rec_head, 'decode_masked_cells', 'dense-rec', 'rec_head')


def _ema_per_param(bench: PretrainStepBenchmark):
    """The teacher's EMA as mmpretrain's ``CosineEMA`` runs it, ``mul_`` + ``add_`` per parameter,
    not one ``torch._foreach_lerp_`` (``cmid_mm.models.utils.foreach_ema``)."""
    return _switched_off(bench.model.teacher, 'foreach', 'ema-per-param', 'teacher')


# name -> context that applies a variant of the CMID step to a PretrainStepBenchmark
TOGGLES: Dict[str, Callable[[PretrainStepBenchmark], ContextManager]] = {
    'fft-per-image': _fft_per_image,
    'queue-one-product': _queue_one_product,
    'channels-last': _channels_last,
    'bf16': _bf16,
    'mkl-linear': _mkl_linear,
    'dense-rec': _dense_rec,
    'ema-per-param': _ema_per_param,
}
#: toggles that change how the bare backbone runs too (the others patch CMID's heads)
BARE_TOGGLES = ('channels-last', 'bf16')


def summary(times: Dict[str, List[float]], batch_size: int) -> List[str]:
    """Median and min-max ms/step and images/s of each variant, then the per-round ratio of
    each variant to ``bare`` and of each toggle to ``cmid``, and of each toggle ``X`` to
    ``bare+X`` where both ran (CMID / bare run the same way; median and min-max)."""
    lines = []
    for name, t in times.items():
        ms = np.array(t) * 1000
        lines.append(f'{label(name):<36} {np.median(ms):8.1f} ms/step '
                     f'{batch_size / np.median(ms) * 1000:7.2f} img/s  (min {ms.min():.1f}, '
                     f'max {ms.max():.1f}, {len(ms)} rounds)')
    for base in ('bare', 'cmid'):
        if base not in times:
            continue
        for name, t in times.items():
            if name == base or (base == 'cmid' and name.split('+')[0] == 'bare'):
                continue
            lines.append(_ratio_line(name, base, t, times[base]))
    for name, t in times.items():
        if name.split('+')[0] != 'bare' and f'bare+{name}' in times:
            lines.append(_ratio_line(name, f'bare+{name}', t, times[f'bare+{name}']))
    if 'bare' in times and 'cmid' in times:
        lines.append('ratio CMID / bare: '
                     f'{np.median(times["cmid"]) / np.median(times["bare"]):.3f} (of the medians)')
    return lines


def _ratio_line(name: str, base: str, times: List[float], base_times: List[float]) -> str:
    ratio = np.array(times) / np.array(base_times)
    return (f'per-round ratio {name} / {base}: median {np.median(ratio):.3f} '
            f'(min {ratio.min():.3f}, max {ratio.max():.3f}, '
            f'spread {ratio.max() - ratio.min():.3f})')


LABELS = {'bare': 'bare backbone:', 'cmid': 'CMID step:'}


def label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    if name.split('+')[0] == 'bare':
        return f'bare backbone, {name[5:]}:'
    return f'CMID, {name}:'


def load_average() -> str:
    return 'load average (1, 5, 15 min): ' + ' '.join(f'{v:.2f}' for v in os.getloadavg())


def peak_rss_mib() -> float:
    """This process's peak resident memory (``VmHWM``). Not ``getrusage``'s ``ru_maxrss``:
    Linux carries that across ``exec``, so a child would report its parent's peak."""
    with open('/proc/self/status') as f:
        return next(int(line.split()[1]) for line in f if line.startswith('VmHWM:')) / 1024


def peak_rss_mib_in_subprocess(argv: Sequence[str]) -> float:
    """Peak RSS of a separate process ``argv`` (one variant alone), read from the
    ``peak RSS: N MiB`` line it prints."""
    code, out, err, _ = run_guarded(argv)
    found = re.search(r'^peak RSS: ([\d.]+) MiB$', out, re.M)
    if code or not found:
        raise RuntimeError(f'{" ".join(argv)} failed (exit {code}):\n{err[-2000:]}')
    return float(found.group(1))


def rss_mib(pid: Optional[int] = None) -> float:
    """Resident memory now (``VmRSS``) of process ``pid`` (default: this one); 0 once gone."""
    pid = os.getpid() if pid is None else pid
    try:
        with open(f'/proc/{pid}/status') as f:
            return next((int(line.split()[1]) for line in f if line.startswith('VmRSS:')),
                        0) / 1024
    except OSError:  # it has just exited
        return 0.


def run_guarded(argv: Sequence[str], timeout_s: Optional[float] = None,
                max_rss_mib: Optional[float] = None,
                poll_s: float = 0.05) -> Tuple[int, str, str, Optional[str]]:
    """Run ``argv``; kill it once it runs past ``timeout_s`` seconds or its resident memory
    passes ``max_rss_mib`` (polled every ``poll_s`` s: the machine must not start swapping or
    wake the OOM killer for one table cell). Returns (exit status, stdout, stderr, why it was
    stopped or None)."""
    with tempfile.TemporaryFile('w+') as out, tempfile.TemporaryFile('w+') as err:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, text=True)
        start, why = time.monotonic(), None
        while proc.poll() is None:
            elapsed = time.monotonic() - start
            if timeout_s is not None and elapsed > timeout_s:
                why = f'over the {timeout_s:.0f} s timeout'
            elif max_rss_mib is not None and rss_mib(proc.pid) > max_rss_mib:
                why = f'RSS passed the {max_rss_mib:.0f} MiB limit after {elapsed:.0f} s'
            if why:
                proc.kill()
                proc.wait()
                break
            time.sleep(poll_s)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), why


def parse_step_report(out: str) -> Dict[str, float]:
    """The CMID step's median / min / max ms, peak RSS and RSS after the build from the
    benchmark tool's output (one variant ``cmid``)."""
    step = re.search(r'^CMID step: +([\d.]+) ms/step .*\(min ([\d.]+), max ([\d.]+), ', out,
                     re.M)
    peak = re.search(r'^peak RSS: ([\d.]+) MiB$', out, re.M)
    build = re.search(r'^RSS after the build: ([\d.]+) MiB$', out, re.M)
    if not (step and peak and build):
        raise ValueError('no CMID step / peak RSS / RSS after the build line in:\n' + out[-2000:])
    return dict(ms=float(step.group(1)), ms_min=float(step.group(2)),
                ms_max=float(step.group(3)), peak_mib=float(peak.group(1)),
                build_mib=float(build.group(1)))


SCALING_HEADER = [
    '| model | img | batch | ms/step, median (min-max) | ms/image | ms per 224x224 image '
    '| peak RSS MiB | RSS after build MiB | (peak - build) / image MiB | load 1 min |',
    '|---|---|---|---|---|---|---|---|---|---|']


def scaling_row(model: str, img: int, batch: int, cell: Optional[Dict[str, float]],
                load_1min: float, skipped: Optional[str] = None) -> str:
    """One row of the scaling table: a measured cell, or ``skipped (reason)``."""
    head = f'| {model} | {img} | {batch} |'
    if cell is None:
        return f'{head} skipped ({skipped}) | | | | | | {load_1min:.2f} |'
    per_image = cell['ms'] / batch
    return (f'{head} {cell["ms"]:.0f} ({cell["ms_min"]:.0f}-{cell["ms_max"]:.0f}) | '
            f'{per_image:.0f} | {per_image / (img / 224) ** 2:.0f} | {cell["peak_mib"]:.0f} | '
            f'{cell["build_mib"]:.0f} | {(cell["peak_mib"] - cell["build_mib"]) / batch:.0f} | '
            f'{load_1min:.2f} |')


def predicted_skip(done: Dict[int, Dict[str, float]], batch: int, steps: int, timeout_s: float,
                   limit_mib: float) -> Optional[str]:
    """Why not to start a cell of ``batch``: the largest smaller batch measured at its size
    (``done``: batch -> :func:`parse_step_report`), scaled linearly in batch over ``steps``
    steps, already passes a guard, so it would be stopped after using that time; else None."""
    smaller = [b for b in done if b < batch]
    if not smaller:
        return None
    b0 = max(smaller)
    cell, k = done[b0], batch / b0
    mib = cell['build_mib'] + (cell['peak_mib'] - cell['build_mib']) * k
    seconds = steps * cell['ms'] / 1000 * k
    if mib > limit_mib:
        return f'predicted {mib:.0f} MiB from batch {b0}, over the {limit_mib:.0f} MiB limit'
    if seconds > timeout_s:
        return (f'predicted {seconds:.0f} s of steps from batch {b0}, over the '
                f'{timeout_s:.0f} s timeout')
    return None


def linear_fit(x: Sequence[float], y: Sequence[float]) -> Tuple[float, float, float]:
    """Least squares ``y = a + b x``: (a, b, largest relative residual)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    b, a = np.polyfit(x, y, 1)
    return float(a), float(b), float(np.max(np.abs(a + b * x - y) / y))


def pipeline_batches(cfg: Config) -> Iterator:
    """Endless batches of the config's train dataloader (built by mmengine's
    ``Runner.build_dataloader``: its dataset, pipeline, sampler and collate) in this process
    (``num_workers=0``): the time of one is what one loader worker spends on it."""
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.update(num_workers=0, persistent_workers=False, pin_memory=False)
    loader = Runner.build_dataloader(loader_cfg, seed=0)

    def endless():
        while True:
            yield from loader

    return endless()


def loader_throughput(cfg: Config, batches: int) -> Tuple[float, int]:
    """Images/s the config's train dataloader delivers as configured (its ``num_workers``
    processes and their inter-process transfer), over ``batches`` batches after the first
    (the workers' start), nothing else running in this process; and its batch size."""
    loader = Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader), seed=0)
    size, n, start = cfg.train_dataloader.batch_size, 0, None
    while n < batches:
        if len(loader) == 0:
            raise ValueError('loader_throughput: the train dataloader yields no batch')
        for _ in loader:
            if start is None:
                start = time.perf_counter()
                continue
            n += 1
            if n == batches:
                break
    return batches * size / (time.perf_counter() - start), size


def loader_summary(times: Dict[str, List[float]], batch_size: int,
                   num_workers: int) -> List[str]:
    """The pipeline's and the step's images/s (median, min-max) from interleaved rounds of
    variants ``loader`` and ``cmid``, and the per-round ratio of what ``num_workers`` workers
    deliver (each at the pipeline's rate) to what the step consumes."""
    lines = []
    for name, label in (('loader', 'pipeline alone, 1 worker:'), ('cmid', 'CMID step:')):
        rate = batch_size / np.array(times[name])
        lines.append(f'{label:<26} {np.median(rate):8.1f} img/s  (min {rate.min():.1f}, '
                     f'max {rate.max():.1f}, {len(rate)} rounds)')
    ratio = max(num_workers, 1) * np.array(times['cmid']) / np.array(times['loader'])
    if num_workers:
        lines.append(f'per-round ratio loader ({num_workers} worker(s) x pipeline img/s) / step '
                     f'img/s: median {np.median(ratio):.1f} (min {ratio.min():.1f}, '
                     f'max {ratio.max():.1f}); keeps up (>= 2): '
                     f'{"yes" if np.median(ratio) >= 2 else "NO"}')
    else:  # the main process loads, then steps: loading is part of every step
        lines.append(f'num_workers=0: loading adds {np.median(1 / ratio) * 100:.1f} % to '
                     'every step (the main process loads between steps)')
    return lines


@contextmanager
def labelled_parts(model):
    """Mark each part's forward as a ``part::NAME`` range for the profiler (via forward hooks:
    the model code is not touched), and the decoder's ``decode_cells`` (what the reconstruction
    loss calls instead of its forward) as ``part::decoder`` too. Heads are called through
    ``loss()``, not ``forward``."""
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
    decoder = parts['decoder']
    decode_cells = getattr(decoder, 'decode_cells', None)
    if decode_cells is not None:

        def labelled_decode_cells(*args, **kwargs):
            with record_function('part::decoder'):
                return decode_cells(*args, **kwargs)

        decoder.decode_cells = labelled_decode_cells
    try:
        yield
    finally:
        for h in handles:
            h.remove()
        if decode_cells is not None:
            del decoder.decode_cells  # the class's method again


# The tool's --loader and --scaling modes (tools/analysis_tools/benchmark_pretrain.py).

def run_loader(args, cfg: Config, bench: PretrainStepBenchmark) -> None:
    """``benchmark_pretrain.py --loader``: the config's pipeline (one worker's work) and the CMID
    step in interleaved rounds, then the loader as configured alone."""
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


def model_label(cfg):
    backbone = cfg.model.backbone
    name = backbone.type.removeprefix('CMID')
    return f'{name}-{backbone.get("depth") or backbone.get("arch")}'


def run_scaling(args, tool: str, load_config: Callable) -> None:
    """``benchmark_pretrain.py --scaling``: each cell in its own process (``tool``, variant
    cmid), guarded; rows printed as they come. ``args`` are the tool's parsed arguments."""
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
        child = [sys.executable, tool, config, '--batch-size', str(batch), '--img-size',
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
