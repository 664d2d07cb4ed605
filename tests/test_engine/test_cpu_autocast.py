"""CPUAutocastOptimWrapper (``tools/train.py --amp`` on CPU): one bf16 step of a tiny CMID gives
the fp32 losses and gradients within bf16 tolerance, and bf16 training still lowers the loss on
a fixed batch."""
import copy
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from cmid_mm.engine.optimizers.cpu_autocast_optim_wrapper import CPUAutocastOptimWrapper
from cmid_mm.engine.step_benchmark import PretrainStepBenchmark

from .tiny_cmid import tiny_demo_config

# bf16 keeps 8 significant bits (relative rounding 2**-9 per operation): after a network's
# worth of operations losses agree to a few per cent and gradients point the same way.
LOSS_RTOL = 0.05
GRAD_MIN_COSINE = 0.98
GRAD_NORM_RTOL = 0.1


def losses_and_grads(bench, optim):
    bench.model.zero_grad()
    with optim.optim_context(bench.model):
        losses = bench.model(bench.inputs, bench.data_samples, mode='loss')
    sum(losses.values()).backward()
    grads = torch.cat([p.grad.flatten() for p in bench.model.parameters() if p.grad is not None])
    return {k: v.item() for k, v in losses.items()}, grads


def test_one_bf16_step_matches_fp32_within_bf16_tolerance():
    bench = PretrainStepBenchmark(tiny_demo_config(), batch_size=4, img_size=64)
    state = copy.deepcopy(bench.model.state_dict())
    fp32_losses, fp32_grads = losses_and_grads(bench, bench.optim)
    bench.model.load_state_dict(state)  # the same teacher and queue for the second pass
    bf16 = CPUAutocastOptimWrapper(optimizer=bench.optim.optimizer)
    with torch.autocast('cpu', dtype=torch.bfloat16):  # the wrapper really casts
        assert torch.nn.functional.linear(torch.ones(2, 2), torch.ones(2, 2)).dtype == \
            torch.bfloat16
    bf16_losses, bf16_grads = losses_and_grads(bench, bf16)
    assert bf16_grads.dtype == torch.float32  # parameters and gradients stay fp32
    assert bf16_losses == pytest.approx(fp32_losses, rel=LOSS_RTOL)
    assert bf16_losses != fp32_losses  # it did run in bf16
    cosine = torch.nn.functional.cosine_similarity(bf16_grads, fp32_grads, dim=0)
    assert cosine > GRAD_MIN_COSINE
    assert bf16_grads.norm() == pytest.approx(fp32_grads.norm().item(), rel=GRAD_NORM_RTOL)


def test_bf16_training_lowers_the_loss_on_a_fixed_batch():
    bench = PretrainStepBenchmark(tiny_demo_config(**{'model.global_head.queue_len': 64}),
                                  batch_size=4, img_size=64)
    bench.optim = CPUAutocastOptimWrapper(optimizer=bench.optim.optimizer)
    first = last = None
    for _ in range(30):
        with bench.optim.optim_context(bench.model):
            loss = sum(bench.model(bench.inputs, bench.data_samples, mode='loss').values())
        bench.optim.update_params(loss)
        first = loss.item() if first is None else first
        last = loss.item()
    assert last < 0.8 * first, (first, last)


def test_only_half_precision_dtypes_are_accepted():
    with pytest.raises(ValueError, match='optim_wrapper.dtype'):
        CPUAutocastOptimWrapper(optimizer=torch.optim.SGD([torch.zeros(1)], lr=1), dtype='float32')


@pytest.mark.skipif(torch.cuda.is_available(), reason='with CUDA, --amp is fp16 AmpOptimWrapper')
def test_train_tool_amp_trains_on_cpu_in_bf16(tmp_path):
    from ..conftest import REPO_ROOT, write_tiny_classifier
    config = write_tiny_classifier(tmp_path / 'cfg')
    work_dir = tmp_path / 'work'
    proc = subprocess.run([sys.executable, 'tools/train.py', str(config), '--amp',
                           '--work-dir', str(work_dir)], cwd=REPO_ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    dumped = Config.fromfile(work_dir / osp.basename(config))
    assert dumped.optim_wrapper.type == 'CPUAutocastOptimWrapper'
    assert dumped.optim_wrapper.dtype == 'bfloat16'
    assert (work_dir / 'iter_2.pth').is_file()
