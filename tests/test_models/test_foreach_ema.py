"""``ForeachCosineEMA``: CosineEMA's teacher, schedule and buffers, one lerp over all weights."""
import copy

import pytest
import torch
import torch.nn as nn
from mmpretrain.models.utils import CosineEMA

from cmid_mm.models.utils.foreach_ema import ForeachCosineEMA


def student():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.Linear(8 * 6 * 6, 4))


def run(ema_cls, steps, interval=1, foreach=True):
    model = student()
    model(torch.randn(2, 3, 8, 8))  # move BN's statistics
    ema = ema_cls(model, momentum=0.3, end_momentum=0.05, interval=interval)
    ema.foreach = foreach
    torch.manual_seed(1)
    for _ in range(steps):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p))
        model(torch.randn(2, 3, 8, 8))  # BN's running statistics change: copied, not averaged
        ema.update_parameters(model)
    return ema


@pytest.mark.parametrize('interval', [1, 2])
def test_the_same_average_schedule_and_buffers_as_cosine_ema(message_hub, interval):
    message_hub.update_info('max_iters', 10)
    ref, ours = run(CosineEMA, 7, interval), run(ForeachCosineEMA, 7, interval)
    assert int(ours.steps) == int(ref.steps) == 7
    for (name, r), o in zip(ref.module.state_dict().items(), ours.module.state_dict().values()):
        if r.dtype.is_floating_point and 'running' not in name:
            assert not torch.equal(r, run(CosineEMA, 0).module.state_dict()[name])  # it moved
            torch.testing.assert_close(o, r, rtol=1e-6, atol=1e-6, msg=name)  # weights O(1)
        else:  # BN statistics and counters: the source's, as CosineEMA keeps them
            assert torch.equal(o, r), name


def test_the_momentum_follows_cosine_ema(message_hub):
    message_hub.update_info('max_iters', 10)
    ema = ForeachCosineEMA(student(), momentum=0.3, end_momentum=0.05)
    assert ema.momentum_at(0) == pytest.approx(0.3)
    assert ema.momentum_at(5) == pytest.approx((0.3 + 0.05) / 2)
    assert ema.momentum_at(10) == pytest.approx(0.05)


def test_foreach_off_is_cosine_ema_to_the_bit(message_hub):
    message_hub.update_info('max_iters', 10)
    ref, ours = run(CosineEMA, 4), run(ForeachCosineEMA, 4, foreach=False)
    for r, o in zip(ref.module.state_dict().values(), ours.module.state_dict().values()):
        assert torch.equal(o, r)


def test_the_cmid_teacher_uses_it():
    from .test_cmid import tiny_cmid
    assert isinstance(tiny_cmid().teacher, ForeachCosineEMA)
    assert copy.deepcopy(tiny_cmid().teacher).foreach


def test_the_benchmark_toggle_runs_the_per_parameter_update():
    from tests.test_engine.test_step_benchmark import tiny_benchmark
    bench = tiny_benchmark()
    step, ema_per_param = bench._variant('ema-per-param')
    with ema_per_param():
        assert not bench.model.teacher.foreach
        step()
    assert bench.model.teacher.foreach
