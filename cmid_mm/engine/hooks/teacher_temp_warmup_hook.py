"""The linear warm-up of the teacher temperature of CMID's local head."""
from typing import Optional

from mmpretrain.engine.hooks import WarmupParamHook
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model


def warmup_value(start: float, end: float, progress: float, length: float) -> float:
    """``start`` -> ``end`` linearly over ``length`` steps of ``progress``, then ``end``."""
    if length <= 0 or progress >= length:
        return end
    return start + (end - start) * progress / length


@HOOKS.register_module()
class TeacherTempWarmupHook(WarmupParamHook):
    """Warm the local head's teacher temperature up from ``warmup_teacher_temp`` to its
    ``teacher_temp``, linearly, as the official code (DINO's schedule).

    Before each training iteration it sets ``current_teacher_temp`` of the head at
    ``module_name`` (``CMIDLocalHead.loss`` uses it). ``warmup_iters``, when given, counts the
    warm-up in iterations and wins over ``warmup_epochs``; epochs are fractional
    (``iter * max_epochs / max_iters``), so an epoch-based warm-up works in iteration-based loops
    too. Configs whose local branch is off set ``module_name=None``
    (``default_hooks = dict(teacher_temp=dict(module_name=None))``): the hook then checks that
    there is indeed no local head and does nothing. (mmengine's ``default_hooks`` accepts ``None``
    only for its own hook names, so the entry cannot simply be removed.)
    """

    def __init__(self, warmup_teacher_temp: float = 0.04, warmup_epochs: float = 50,
                 warmup_iters: Optional[int] = None, module_name: Optional[str] = 'local_head'):
        super().__init__(param_name='current_teacher_temp', module_name=module_name or 'local_head',
                         warmup_epochs=warmup_epochs)
        self.module_name = module_name
        self.warmup_teacher_temp = warmup_teacher_temp
        self.warmup_iters = warmup_iters

    def before_train(self, runner) -> None:
        try:
            head = self.module_getter(get_ori_model(runner.model))
        except AttributeError:
            head = None
        if self.module_name is None:
            if head is not None:
                raise ValueError('TeacherTempWarmupHook is off (module_name=None) but the model '
                                 'has a local_head: its teacher temperature would not warm up; '
                                 "set module_name='local_head'")
            return
        if head is None:
            raise ValueError(f'TeacherTempWarmupHook: the model has no {self.module_name} (its '
                             'branch is off?); turn the hook off in such a config: '
                             'default_hooks = dict(teacher_temp=dict(module_name=None))')
        self.ori_val = head.teacher_temp  # the temperature after the warm-up

    def teacher_temp_at(self, cur_iter: int, max_iters: int, max_epochs: int) -> float:
        """The temperature at iteration ``cur_iter`` of ``max_iters`` (``max_epochs``)."""
        if self.warmup_iters is not None:
            return warmup_value(self.warmup_teacher_temp, self.ori_val, cur_iter,
                                self.warmup_iters)
        return warmup_value(self.warmup_teacher_temp, self.ori_val,
                            cur_iter * max_epochs / max_iters, self.warmup_epochs)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if self.module_name is None:
            return
        self.set_param(runner, self.teacher_temp_at(runner.iter, runner.max_iters,
                                                    runner.max_epochs))
