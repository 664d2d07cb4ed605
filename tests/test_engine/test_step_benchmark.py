"""PretrainStepBenchmark: the bare-backbone baseline leaves no gradient behind."""
from cmid_mm.engine.step_benchmark import PretrainStepBenchmark

from .tiny_cmid import tiny_demo_config


def tiny_benchmark():
    return PretrainStepBenchmark(tiny_demo_config(), batch_size=2, img_size=64)


def test_the_bare_step_zeroes_every_gradient_it_makes_mask_token_included():
    bench = tiny_benchmark()
    token = bench.model.mask_token.detach().clone()
    bench.bare_step()
    leftover = [name for name, p in bench.model.named_parameters()
                if p.grad is not None and p.grad.any()]
    assert leftover == []  # nothing accumulates into the next CMID step
    assert not (bench.model.mask_token == token).all()  # it steps the mask token too
