"""ChannelsLastHook and ``setup_amp`` (``tools/train.py --amp``): a channels-last CMID step gives
the NCHW step's losses and gradients, the hook keeps the parameter objects the optimizer and the
EMA teacher hold, a Runner trains with it under bf16 and its checkpoint loads into an NCHW
model; --amp adds it to CMID on CPU only."""
import copy
import types

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from cmid_mm.engine.hooks import ChannelsLastHook
from cmid_mm.engine.optimizers import CPUAutocastOptimWrapper
from cmid_mm.engine.step_benchmark import PretrainStepBenchmark
from cmid_mm.utils.cli import setup_amp, setup_channels_last

from .test_cpu_autocast import GRAD_MIN_COSINE, LOSS_RTOL, losses_and_grads
from .test_monitor_hooks_in_runner import write_images
from .tiny_cmid import tiny_demo_config, tiny_runner_config

NHWC = torch.channels_last


def fake_runner(model):
    return types.SimpleNamespace(model=model, logger=types.SimpleNamespace(info=lambda msg: None))


def conv_weights(model):
    return [p for p in model.parameters() if p.dim() == 4]


def test_a_channels_last_step_gives_the_nchw_losses_and_gradients():
    bench = PretrainStepBenchmark(tiny_demo_config(), batch_size=4, img_size=64)
    state = copy.deepcopy(bench.model.state_dict())
    nchw_losses, nchw_grads = losses_and_grads(bench, bench.optim)
    bf16 = CPUAutocastOptimWrapper(optimizer=bench.optim.optimizer)
    bench.model.load_state_dict(state)
    nchw_bf16_losses, nchw_bf16_grads = losses_and_grads(bench, bf16)

    ChannelsLastHook().before_train(fake_runner(bench.model))
    assert all(p.is_contiguous(memory_format=NHWC) for p in conv_weights(bench.model))
    assert not bench.model.backbone.conv1.weight.is_contiguous()  # 7x7: the layout did change
    bench.model.load_state_dict(state)  # the same teacher, queue and BN statistics
    nhwc_losses, nhwc_grads = losses_and_grads(bench, bench.optim)
    # fp32: the same values up to the order of float operations (measured on the benchmark's
    # seeded batch: losses within 1e-5, all gradients within 8.7e-5 of their norm; unseeded
    # batches gave up to ~1e-4 in-process and 1e-3 to 4e-3 in 4 of 20 separate test runs:
    # BatchNorm over 8 images of 2x2 cells amplifies round-off. A wrong layout differs by O(1).)
    assert nhwc_losses == pytest.approx(nchw_losses, rel=1e-4)
    assert (nhwc_grads - nchw_grads).norm() < 3e-4 * nchw_grads.norm()
    # bf16 (what --amp runs): within the bf16 tolerance of the NCHW bf16 step
    bench.model.load_state_dict(state)
    nhwc_bf16_losses, nhwc_bf16_grads = losses_and_grads(bench, bf16)
    assert nhwc_bf16_losses == pytest.approx(nchw_bf16_losses, rel=LOSS_RTOL)
    assert torch.nn.functional.cosine_similarity(nhwc_bf16_grads, nchw_bf16_grads,
                                                 dim=0) > GRAD_MIN_COSINE


def test_the_hook_keeps_the_parameters_of_the_optimizer_and_the_teacher():
    bench = PretrainStepBenchmark(tiny_demo_config(), batch_size=2, img_size=64)
    model = bench.model
    ids = [id(p) for p in model.parameters()]
    ChannelsLastHook().before_train(fake_runner(model))
    assert [id(p) for p in model.parameters()] == ids
    optimized = {id(p) for g in bench.optim.optimizer.param_groups for p in g['params']}
    assert optimized <= set(ids)
    teacher = model.teacher.module
    assert all(p.is_contiguous(memory_format=NHWC) for p in conv_weights(teacher))
    assert all(id(p) in {id(q) for q in teacher.parameters()}
               for p in model.teacher.avg_parameters.values())
    before = teacher.backbone.conv1.weight.detach().clone()
    bench.cmid_step()  # the EMA updates the converted teacher in place
    assert not torch.equal(teacher.backbone.conv1.weight, before)


def test_a_runner_trains_with_it_in_bf16_and_its_checkpoint_loads_into_nchw(tmp_path):
    write_images(tmp_path / 'data' / 'scene', 8, seed=0)
    cfg = tiny_runner_config(tmp_path / 'data', tmp_path / 'work', max_iters=2)
    setup_amp(cfg, cuda=False)
    runner = Runner.from_cfg(cfg)
    runner.train()
    model = runner.model
    assert all(p.is_contiguous(memory_format=NHWC) for p in conv_weights(model))
    assert all(torch.isfinite(p).all() for p in model.parameters())
    plain = Runner.from_cfg(tiny_runner_config(tmp_path / 'data', tmp_path / 'plain', 2)).model
    state = torch.load(tmp_path / 'work' / 'iter_2.pth', map_location='cpu')['state_dict']
    plain.load_state_dict(state)
    assert plain.backbone.conv1.weight.is_contiguous()
    torch.testing.assert_close(plain.backbone.conv1.weight, model.backbone.conv1.weight)


def test_channels_last_alone_trains_cmid_in_fp32_with_nhwc_weights(tmp_path):
    """``tools/train.py --channels-last``: the hook once, the optimizer left fp32."""
    write_images(tmp_path / 'data' / 'scene', 8, seed=0)
    cfg = tiny_runner_config(tmp_path / 'data', tmp_path / 'work', max_iters=2)
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    setup_channels_last(cfg)
    setup_channels_last(cfg)
    assert [h['type'] for h in cfg.custom_hooks].count('ChannelsLastHook') == 1
    assert cfg.optim_wrapper.get('type', 'OptimWrapper') == wrapper
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert all(p.is_contiguous(memory_format=NHWC) for p in conv_weights(runner.model))
    assert all(torch.isfinite(p).all() for p in runner.model.parameters())


def test_setup_amp_adds_the_hook_to_cmid_on_cpu_only_and_once():
    cmid = tiny_demo_config()
    setup_amp(cmid, cuda=False)
    setup_amp(cmid, cuda=False)
    assert cmid.optim_wrapper.type == 'CPUAutocastOptimWrapper'
    assert cmid.optim_wrapper.dtype == 'bfloat16'
    assert [h['type'] for h in cmid.custom_hooks].count('ChannelsLastHook') == 1

    cuda = tiny_demo_config()
    setup_amp(cuda, cuda=True)
    assert cuda.optim_wrapper.type == 'AmpOptimWrapper'
    assert 'ChannelsLastHook' not in [h['type'] for h in cuda.get('custom_hooks', [])]

    classifier = Config(dict(model=dict(type='ImageClassifier'),
                             optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1))))
    setup_amp(classifier, cuda=False)
    assert classifier.optim_wrapper.type == 'CPUAutocastOptimWrapper'
    assert not classifier.get('custom_hooks')
