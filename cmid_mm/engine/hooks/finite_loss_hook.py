"""Stop a fine-tuning run the moment its loss is NaN / inf, with one line saying what to change.

mmdet's ``CheckInvalidLossHook`` does the check but fails with a bare ``AssertionError`` (its
message is the return value of ``logger.info``, None), only every 50 iterations, and only under the
mmdet scope; mmseg and mmengine have none. Without a check, a diverged detector trains on and
validates to mAP 0 as if it had learned nothing. (CMID pretraining has its own guard, which skips
single bad steps: ``CMID.parse_losses``.)
"""
import math

from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()  # mmengine's root registry: found from the mmdet, mmseg, mmpretrain scopes
class FiniteLossHook(Hook):
    """Raise ``FloatingPointError`` after the first training iteration whose total loss is not
    finite. The checkpoints saved before it are kept."""

    priority = 'VERY_HIGH'  # before any hook that would save or log the diverged state

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        loss = (outputs or {}).get('loss')
        if loss is None:
            return
        value = loss.item() if hasattr(loss, 'item') else float(loss)
        if not math.isfinite(value):
            raise FloatingPointError(
                f'training loss is {value} at iteration {runner.iter + 1}: the run diverged; lower '
                'optim_wrapper.optimizer.lr or add optim_wrapper.clip_grad=dict(max_norm=35) '
                '(check the backbone init too: a checkpoint of another normalisation)')
