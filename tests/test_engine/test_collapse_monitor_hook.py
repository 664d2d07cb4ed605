"""CollapseMonitorHook flags a constant-output model and not a random-feature one."""
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from cmid_mm.engine.hooks import CollapseMonitorHook
from cmid_mm.engine.hooks.collapse_monitor_hook import (centre_entropy, effective_rank,
                                                        normalized_std)


class Neck(nn.Module):
    """Stand-in for a CMID neck: constant output (bias only) or random features."""

    def __init__(self, dim, constant, tuple_out):
        super().__init__()
        self.bias = nn.Parameter(torch.randn(dim))
        self.constant, self.tuple_out = constant, tuple_out

    def forward(self, x):
        out = self.bias.expand(len(x), -1) if self.constant else torch.randn(len(x), len(self.bias))
        return (out, ) if self.tuple_out else out  # MoCoV2Neck returns a tuple


class FakeCMID(nn.Module):
    def __init__(self, constant):
        super().__init__()
        self.global_neck = Neck(128, constant, tuple_out=True)
        self.local_neck = Neck(256, constant, tuple_out=False)
        self.local_head = nn.Module()
        self.local_head.register_buffer('center', torch.randn(1, 256) * 0.1)
        self.local_head.teacher_temp = 0.07


class Logger:
    def __init__(self):
        self.warnings = []

    def warning(self, msg):
        self.warnings.append(msg)


def run_iteration(hook, runner, batch=32):
    hook.before_train_iter(runner, 0)
    runner.model.global_neck(torch.zeros(batch, 4))   # what CMID.loss would call
    runner.model.local_neck(torch.zeros(batch * 6, 4))
    hook.after_train_iter(runner, 0)


@pytest.fixture
def make_runner(message_hub):
    def make(constant, iteration=9):
        return SimpleNamespace(model=FakeCMID(constant), message_hub=message_hub,
                               logger=Logger(), iter=iteration)
    return make


def one_checked_iteration(make_runner, constant):
    """Iteration 10 of a runner whose necks give constant (or random) outputs: (runner, stats)."""
    torch.manual_seed(0)
    runner, hook = make_runner(constant=constant), CollapseMonitorHook(interval=10)
    hook.before_train(runner)
    run_iteration(hook, runner)
    return runner, hook.last_stats


def test_constant_output_is_flagged(make_runner):
    runner, stats = one_checked_iteration(make_runner, constant=True)
    assert stats['global_std'] == pytest.approx(0, abs=1e-4)
    assert stats['global_erank'] == pytest.approx(1, abs=1e-3)
    assert stats['local_std'] == pytest.approx(0, abs=1e-4)
    assert len(runner.logger.warnings) == 4  # std and rank, global and local
    assert all('possible collapse at iter 10' in w for w in runner.logger.warnings)
    assert runner.message_hub.get_scalar('train/collapse/global_std').current() == \
        pytest.approx(0, abs=1e-4)


def test_random_features_are_not_flagged(make_runner):
    runner, stats = one_checked_iteration(make_runner, constant=False)
    assert runner.logger.warnings == []
    assert 0.9 < stats['global_std'] < 1.1  # uniform spread on the sphere: about 1
    assert stats['global_erank'] > 0.8 * 32  # 32 random vectors span about 32 directions
    assert stats['centre_entropy'] > 0.5  # centre of small random scores: no dominance
    for key in ('global_std', 'global_erank', 'local_std', 'local_erank', 'centre_entropy'):
        assert runner.message_hub.get_scalar(f'train/collapse/{key}').current() == \
            pytest.approx(stats[key])


def test_only_every_interval_iterations(make_runner):
    runner, hook = make_runner(constant=True, iteration=4), CollapseMonitorHook(interval=10)
    hook.before_train(runner)
    run_iteration(hook, runner)
    assert hook.last_stats is None and runner.logger.warnings == []
    hook.after_train(runner)  # removes the forward hooks
    assert not runner.model.global_neck._forward_hooks


def test_dominant_prototype_in_the_centre_is_flagged(make_runner):
    runner, hook = make_runner(constant=False), CollapseMonitorHook(interval=10)
    runner.model.local_head.center.zero_()[0, 3] = 1.0  # one prototype wins every teacher output
    hook.before_train(runner)
    run_iteration(hook, runner)
    assert hook.last_stats['centre_entropy'] < 0.1
    assert [w for w in runner.logger.warnings if 'centre entropy' in w]


def test_indicator_values():
    assert effective_rank(torch.eye(5)) == pytest.approx(5)
    assert effective_rank(torch.ones(7, 3)) == pytest.approx(1)
    # each column of eye(4) is (1, 0, 0, 0): unbiased std 0.5, times sqrt(4)
    assert normalized_std(torch.eye(4)) == pytest.approx(1.0)
    assert normalized_std(torch.ones(6, 4)) == pytest.approx(0.0)
    assert centre_entropy(torch.zeros(1, 10), 0.07) == pytest.approx(1)
