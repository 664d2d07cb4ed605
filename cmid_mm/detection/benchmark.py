"""Speed of one training step of a detection config (horizontal or oriented) on a synthetic
image, and interleaved rounds of several configs (so that load changes hit them alike)."""
import math
import os
import time
from typing import Dict, List, Sequence

import numpy as np
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from .rotated import normalize_rboxes, rboxes_to_hboxes


class DetectionStepBenchmark:
    """A config's detector (random init), its optimizer and one batch of ``batch_size`` random
    ``img_size`` images with ``num_objects`` rotated boxes each (or their enclosing horizontal
    boxes when the config's RPN is horizontal); :meth:`step` is ``loss`` + backward + update."""

    def __init__(self, cfg: Config, img_size: int = 1024, batch_size: int = 1,
                 num_objects: int = 20, seed: int = 0):
        cfg.model.backbone.init_cfg = None  # random init: no checkpoint or zoo download
        torch.manual_seed(seed)
        with DefaultScope.overwrite_default_scope('mmdet'):
            self.model = MODELS.build(cfg.model)
        self.model.init_weights()
        self.model.train()
        self.optim = build_optim_wrapper(self.model, cfg.optim_wrapper)
        oriented = cfg.model.rpn_head.type == 'OrientedRPNHead'
        num_classes = cfg.model.roi_head.bbox_head.num_classes
        rng = np.random.default_rng(seed)
        inputs, samples = [], []
        for _ in range(batch_size):
            inputs.append(torch.from_numpy(
                rng.integers(0, 255, (3, img_size, img_size), np.uint8)))
            boxes = normalize_rboxes(torch.from_numpy(np.stack([
                rng.uniform(64, img_size - 64, num_objects),
                rng.uniform(64, img_size - 64, num_objects),
                rng.uniform(16, 120, num_objects), rng.uniform(8, 60, num_objects),
                rng.uniform(-math.pi / 2, math.pi / 2, num_objects)], 1).astype(np.float32)))
            sample = DetDataSample(metainfo=dict(img_shape=(img_size, img_size),
                                                 ori_shape=(img_size, img_size),
                                                 scale_factor=(1., 1.)))
            sample.gt_instances = InstanceData(
                bboxes=boxes if oriented else rboxes_to_hboxes(boxes),
                labels=torch.from_numpy(rng.integers(0, num_classes, num_objects)))
            samples.append(sample)
        self.data = self.model.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
        self.batch_size = batch_size

    def step(self) -> None:
        losses = self.model.loss(self.data['inputs'], self.data['data_samples'])
        loss, _ = self.model.parse_losses(losses)
        self.optim.update_params(loss)

    def images_per_second(self) -> float:
        start = time.perf_counter()
        self.step()
        return self.batch_size / (time.perf_counter() - start)


def interleaved_rounds(benches: Dict[str, DetectionStepBenchmark], rounds: int,
                       warmup: int = 1) -> Dict[str, List[float]]:
    """images/s of one step of each benchmark per round, A B A B ... after ``warmup`` untimed
    steps of each."""
    for bench in benches.values():
        for _ in range(warmup):
            bench.step()
    speeds: Dict[str, List[float]] = {name: [] for name in benches}
    for _ in range(rounds):
        for name, bench in benches.items():
            speeds[name].append(bench.images_per_second())
    return speeds


def summary_line(name: str, speeds: Sequence[float]) -> str:
    return (f'{name}: {np.median(speeds):.3f} img/s (median of {len(speeds)}, '
            f'min {min(speeds):.3f}, max {max(speeds):.3f})')


def load_average() -> str:
    return ' '.join(f'{v:.2f}' for v in os.getloadavg())
