import copy

import pytest
import torch
from mmengine.optim import build_optim_wrapper

from ..test_models.test_cmid import fake_batch, tiny_cmid


def _step_inputs(model):
    inputs, data_samples = fake_batch(model)
    optim = build_optim_wrapper(model, dict(optimizer=dict(type='TimmAdan', lr=1e-3)))
    # train_step runs the data preprocessor itself: hand it the already normalised inputs
    model.data_preprocessor._enable_normalize = False
    return dict(inputs=inputs, data_samples=data_samples), optim


def _nan_reconstruction(model):
    model.rec_head.decoded_loss = lambda *args: torch.tensor(float('nan'))


def test_nonfinite_loss_stops_before_the_update_naming_term_and_iteration(message_hub):
    message_hub.update_info('iter', 7)
    message_hub.update_info('max_iters', 10)
    model = tiny_cmid()
    data, optim = _step_inputs(model)
    _nan_reconstruction(model)
    before = copy.deepcopy({k: v for k, v in model.named_parameters() if v.requires_grad})
    with pytest.raises(FloatingPointError, match=r'non-finite loss_rec=nan at iteration 7'):
        model.train_step(data, optim)
    for k, v in before.items():  # the student (the teacher is an EMA of it)
        assert torch.equal(model.get_parameter(k), v), k
    assert not optim.optimizer.state  # no optimizer step was taken


def test_skip_mode_leaves_parameters_and_optimizer_state_untouched(message_hub):
    message_hub.update_info('iter', 0)
    message_hub.update_info('max_iters', 10)
    model = tiny_cmid(nonfinite_loss='skip')
    data, optim = _step_inputs(model)
    model.train_step(copy.deepcopy(data), optim)  # one good step: optimizer state exists
    params = copy.deepcopy({k: v for k, v in model.named_parameters() if v.requires_grad})
    state = copy.deepcopy(optim.optimizer.state_dict())
    _nan_reconstruction(model)
    log_vars = model.train_step(copy.deepcopy(data), optim)
    assert torch.isnan(log_vars['loss_rec'])
    assert model.skipped_steps == 1
    for k, v in params.items():  # the student (the teacher is an EMA of it)
        assert torch.equal(model.get_parameter(k), v), k
    after = optim.optimizer.state_dict()['state']
    for idx, s in state['state'].items():
        for key, value in s.items():
            assert torch.equal(torch.as_tensor(after[idx][key]), torch.as_tensor(value))


def test_nonfinite_teacher_output_does_not_poison_queue_or_centre(message_hub):
    message_hub.update_info('iter', 0)
    message_hub.update_info('max_iters', 10)
    model = tiny_cmid(nonfinite_loss='skip')
    queue = model.global_head.queue.clone()
    centre = model.local_head.center.clone()
    model.global_head.loss(torch.randn(4, 128), torch.full((4, 128), float('nan')))
    model.local_head.loss(torch.randn(4, 512), torch.full((4, 512), float('inf')))
    assert torch.equal(model.global_head.queue, queue) and int(model.global_head.queue_ptr) == 0
    assert torch.equal(model.local_head.center, centre)


def test_unknown_policy_is_a_clear_error():
    with pytest.raises(ValueError, match="nonfinite_loss must be 'raise' or 'skip'"):
        tiny_cmid(nonfinite_loss='ignore')
