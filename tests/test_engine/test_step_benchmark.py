"""PretrainStepBenchmark: the bare-backbone baseline leaves no gradient behind; interleaved
rounds; a child process's peak memory is its own."""
import sys

from cmid_mm.engine.step_benchmark import (PretrainStepBenchmark, peak_rss_mib,
                                           peak_rss_mib_in_subprocess)

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


def test_rounds_time_every_variant_once_per_round_and_undo_the_toggles():
    bench = tiny_benchmark()
    optim = bench.optim
    times = bench.rounds(['bare', 'cmid', 'fft-per-image', 'channels-last', 'bf16+channels-last'],
                         rounds=2, warmup=1)
    assert {k: len(v) for k, v in times.items()} == {
        'bare': 2, 'cmid': 2, 'fft-per-image': 2, 'channels-last': 2, 'bf16+channels-last': 2}
    assert bench.optim is optim
    assert bench.model.rec_head.loss_freq.spectrum_of_mean
    assert bench.model.backbone.conv1.weight.is_contiguous()
    assert bench.inputs[0].is_contiguous()


def test_a_child_reports_its_own_peak_memory_not_its_parents():
    ballast = b'\x01' * (1024 ** 3)  # 1 GiB written, so resident, in this process
    child = peak_rss_mib_in_subprocess([sys.executable, '-c', (
        'from cmid_mm.engine.step_benchmark import peak_rss_mib; '
        'print(f"peak RSS: {peak_rss_mib():.0f} MiB")')])
    assert peak_rss_mib() > 1024
    assert child < peak_rss_mib() - 700, (child, peak_rss_mib())
    del ballast
