"""Each CMID branch alone lowers its own loss on two fixed small batches within a few dozen steps.

A branch whose student gets no gradient (detached output, a frozen neck, a loss computed on the
wrong tensor) keeps its loss at the start value, so these tests fail for it.
"""
import copy
import math

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from cmid_mm.datasets import CMIDTwoViews

BATCH, SIZE, STEPS = 8, 64, 30
# Switching a branch off is leaving its neck and head out (the ablation configs do the same).
OFF = dict(global_=dict(global_neck=None, global_head=None),
           local=dict(local_neck=None, local_head=None),
           rec=dict(decoder=None, rec_head=None))


def single_branch_cmid(branch: str):
    """A ResNet-18 CMID (the CPU demo's widths) with only ``branch`` on."""
    cfg = Config.fromfile('configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py').model
    # Queue = exactly the previous step's keys (both views of the other fixed batch): chance is
    # ln(2 * BATCH + 1). Keys of the query's own image in the queue would be negatives as close
    # as its positive, and the branch stays at chance whatever the encoder (cpu_recipe.md).
    cfg.global_head.queue_len = 2 * BATCH
    cfg.local_head.update(out_channels=64, num_pairs=2)  # 64 px -> 2x2 cells
    cfg.local_neck.out_channels = 64
    # A teacher that follows the student closely: a few dozen steps of a 0.996 EMA leave it at
    # its random initialisation, whose targets do not change.
    cfg.base_momentum = 0.5
    for other, off in OFF.items():
        if other != branch:
            cfg.update(off)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def fixed_batch(model, seed):
    """``BATCH`` blocky random images (16 px blocks of noise: crops of one image share content)
    through CMIDTwoViews, packed like the dataloader + data preprocessor."""
    rng = np.random.default_rng(seed)
    np.random.seed(seed)  # CMIDTwoViews draws crops and masks from numpy's global generator
    views = CMIDTwoViews(img_size=SIZE)
    samples = []
    for _ in range(BATCH):
        coarse = rng.integers(0, 255, (6, 6, 3)).astype(np.float32)
        img = np.kron(coarse, np.ones((16, 16, 1), np.float32))[:80, :80]
        samples.append(views(dict(img=img.astype(np.uint8))))
    inputs = [torch.stack([torch.from_numpy(s['img'][v]).permute(2, 0, 1) for s in samples])
              for v in range(2)]
    data_samples = [DataSample(crop_boxes=s['crop_boxes']).set_mask(s['mask']) for s in samples]
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=data_samples), True)
    return data['inputs'], data['data_samples']


def train_on_fixed_batches(model, key, runner_info, lr=1e-3):
    """``STEPS`` AdamW steps on two fixed batches in turn; the history of loss ``key``."""
    runner_info.update_info('max_iters', STEPS)
    batches = [fixed_batch(model, seed) for seed in (0, 1)]
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    history = []
    for it in range(STEPS):
        runner_info.update_info('iter', it)
        losses = model(*copy.deepcopy(batches[it % 2]), mode='loss')
        assert set(losses) == {key}, losses
        optim.zero_grad()
        losses[key].backward()
        optim.step()
        history.append(losses[key].item())
    return history


@pytest.fixture
def runner_info(message_hub):
    message_hub.update_info('iter', 0)
    message_hub.update_info('max_epochs', 1)
    torch.manual_seed(0)
    return message_hub


def first_last(history, n=6):
    """Mean loss of the first and last ``n`` steps, from step 1 on: at step 0 the queue holds
    its random initial keys, far from every query."""
    return np.mean(history[1:n + 1]), np.mean(history[-n:])


def test_global_branch_alone_learns(runner_info):
    model = single_branch_cmid('global_')
    # At lr 1e-3 this branch rises to its chance level instead (measured, see cpu_recipe.md).
    first, last = first_last(train_on_fixed_batches(model, 'loss_global', runner_info, lr=1e-4))
    chance = math.log(2 * BATCH + 1)  # every key as similar to the query as its positive
    assert last < 0.8 * first and last < chance - 0.5, (first, last, chance)


def test_local_branch_alone_learns(runner_info):
    model = single_branch_cmid('local')
    first, last = first_last(train_on_fixed_batches(model, 'loss_local', runner_info))
    chance = math.log(model.local_head.center.shape[1])  # uniform student, uniform target
    assert last < 0.9 * first and last < chance - 0.5, (first, last, chance)


def test_reconstruction_branch_alone_learns(runner_info):
    model = single_branch_cmid('rec')
    assert model.teacher is None  # no teacher without a global or local branch
    first, last = first_last(train_on_fixed_batches(model, 'loss_rec', runner_info))
    assert last < 0.6 * first, (first, last)
