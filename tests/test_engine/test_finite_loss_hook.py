"""FiniteLossHook: a diverged fine-tuning run stops at once with one line, in every scope."""
import types

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import HOOKS as ROOT_HOOKS

from cmid_mm.engine.hooks import FiniteLossHook


def runner_at(iteration):
    return types.SimpleNamespace(iter=iteration)


def test_finite_losses_pass_and_the_first_nan_stops_the_run():
    hook = FiniteLossHook()
    hook.after_train_iter(runner_at(0), 0, outputs=dict(loss=torch.tensor(1.5)))
    hook.after_train_iter(runner_at(1), 1, outputs={})  # nothing to check
    with pytest.raises(FloatingPointError, match=r'training loss is nan at iteration 100: the '
                       r'run diverged; lower optim_wrapper.optimizer.lr or add '
                       r'optim_wrapper.clip_grad'):
        hook.after_train_iter(runner_at(99), 99, outputs=dict(loss=torch.tensor(float('nan'))))
    with pytest.raises(FloatingPointError, match='training loss is inf'):
        hook.after_train_iter(runner_at(5), 5, outputs=dict(loss=torch.tensor(float('inf'))))


@pytest.mark.parametrize('scope', ['mmdet', 'mmseg', 'mmpretrain'])
def test_found_from_each_library_scope(scope):
    registry = __import__(f'{scope}.registry', fromlist=['HOOKS']).HOOKS
    assert registry.get('FiniteLossHook') is FiniteLossHook is ROOT_HOOKS.get('FiniteLossHook')


@pytest.mark.parametrize('config', [
    'configs/detection/faster-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-demo.py',
    'configs/oriented_detection/oriented-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-rotated-demo.py',
    'configs/change_detection/bit_cmid-resnet18_1xb8-adamw-120i_neon-synthetic-cd-demo.py',
    'configs/segmentation/upernet_cmid-resnet18_1xb8-150i_landsat-landcover-demo.py',
    'configs/classification/cmid_resnet50_1xb64-adan-coslr-200e_aid-2-8.py',
])
def test_downstream_runtimes_carry_the_hook(config):
    hooks = Config.fromfile(config).get('custom_hooks', [])
    assert [h['type'] for h in hooks].count('FiniteLossHook') == 1
