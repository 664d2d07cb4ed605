"""TeacherTempWarmupHook: the local head's teacher temperature, set before each iteration."""
from types import SimpleNamespace

import pytest
import torch.nn as nn
from mmpretrain.registry import HOOKS

from cmid_mm.models import CMIDLocalHead


class Model(nn.Module):
    def __init__(self, head):
        super().__init__()
        self.local_head = head


def temperature_at(hook, head, cur_iter, max_iters, max_epochs):
    runner = SimpleNamespace(model=Model(head), iter=cur_iter, max_iters=max_iters,
                             max_epochs=max_epochs)
    hook.before_train(runner)
    hook.before_train_iter(runner, batch_idx=0)
    return head.current_teacher_temp


@pytest.mark.parametrize('epoch,expected', [(0, 0.04), (25, 0.055), (50, 0.07), (100, 0.07)])
def test_teacher_temperature_schedule(epoch, expected):
    hook = HOOKS.build(dict(type='TeacherTempWarmupHook', warmup_teacher_temp=0.04,
                            warmup_epochs=50))
    head = CMIDLocalHead(teacher_temp=0.07)
    assert temperature_at(hook, head, epoch * 10, 200 * 10, 200) == pytest.approx(expected)


def test_teacher_temperature_by_iterations():
    hook = HOOKS.build(dict(type='TeacherTempWarmupHook', warmup_iters=100))
    head = CMIDLocalHead()
    assert temperature_at(hook, head, 50, 1000, 1) == pytest.approx(0.055)
    assert head.teacher_temp == 0.07  # the target stays (the collapse monitor reads it)


def test_values_follow_the_former_formula_at_a_few_iterations():
    """Identical to the schedule the head used to compute from the MessageHub: linear in the
    fractional epoch ``iter * max_epochs / max_iters``, constant after the warm-up."""
    max_iters, max_epochs, warmup = 3000, 30, 7.5

    def former(it):
        progress = it * max_epochs / max_iters
        if progress >= warmup:
            return 0.07
        return 0.04 + (0.07 - 0.04) * progress / warmup

    hook = HOOKS.build(dict(type='TeacherTempWarmupHook', warmup_epochs=warmup))
    head = CMIDLocalHead()
    for it in (0, 1, 99, 333, 749, 750, 751, 2999):
        assert temperature_at(hook, head, it, max_iters, max_epochs) == former(it), it


def test_a_model_without_a_local_head_is_a_clear_error():
    hook = HOOKS.build(dict(type='TeacherTempWarmupHook'))
    with pytest.raises(ValueError, match=r'no local_head .*teacher_temp=dict\(module_name=None\)'):
        temperature_at(hook, None, 0, 10, 1)


def test_the_hook_turned_off_checks_that_there_is_no_local_head():
    hook = HOOKS.build(dict(type='TeacherTempWarmupHook', module_name=None))
    runner = SimpleNamespace(model=Model(None), iter=0, max_iters=10, max_epochs=1)
    hook.before_train(runner)
    hook.before_train_iter(runner, batch_idx=0)  # nothing to set
    with pytest.raises(ValueError, match="off .* but the model has a local_head"):
        temperature_at(hook, CMIDLocalHead(), 0, 10, 1)
