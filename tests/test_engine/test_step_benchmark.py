"""PretrainStepBenchmark: the bare-backbone baseline leaves no gradient behind; interleaved
rounds; a child process's peak memory is its own; the scaling table's guarded processes,
predicted skips, rows and fits."""
import sys

import pytest
import torch

from cmid_mm.engine.step_benchmark import (SCALING_HEADER, PretrainStepBenchmark, linear_fit,
                                           parse_step_report, peak_rss_mib,
                                           peak_rss_mib_in_subprocess, predicted_skip,
                                           run_guarded, scaling_row, summary)

from .tiny_cmid import tiny_demo_config


def tiny_benchmark():
    return PretrainStepBenchmark(tiny_demo_config(), batch_size=2, img_size=64)


def one_step_losses_and_grads(bench, state):
    """One CMID loss + backward of ``bench``'s batch from ``state`` (teacher, queue and centre
    as before): the detached losses and every parameter's gradient, by name."""
    model = bench.model
    model.load_state_dict(state)
    model.zero_grad()
    losses = model(bench.inputs, bench.data_samples, mode='loss')
    sum(losses.values()).backward()
    return ({k: v.detach() for k, v in losses.items()},
            {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})


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
    head_loss = bench.model.global_head.loss
    times = bench.rounds(['bare', 'cmid', 'fft-per-image', 'channels-last', 'bf16+channels-last',
                          'queue-one-product'], rounds=2, warmup=1)
    assert {k: len(v) for k, v in times.items()} == {
        'bare': 2, 'cmid': 2, 'fft-per-image': 2, 'channels-last': 2, 'bf16+channels-last': 2,
        'queue-one-product': 2}
    assert bench.model.global_head.loss == head_loss
    assert bench.optim is optim
    assert bench.model.rec_head.loss_freq.spectrum_of_mean
    assert bench.model.backbone.conv1.weight.is_contiguous()
    assert bench.inputs[0].is_contiguous()


def test_the_bare_step_runs_under_the_bf16_and_channels_last_toggles_and_only_those():
    """``bare+bf16+channels-last`` is the baseline of the step ``--amp`` trains: the student's
    and the teacher's convolutions in bf16 on NHWC weights; toggles that patch the heads are
    refused for the bare step."""
    bench = tiny_benchmark()
    seen = []
    hooks = [m.register_forward_hook(lambda mod, args, out: seen.append(
        (out.dtype, mod.weight.is_contiguous(memory_format=torch.channels_last))))
        for m in (bench.model.backbone.conv1, bench.model.teacher.module.backbone.conv1)]
    step, context = bench._variant('bare+bf16+channels-last')
    with context():
        step()
    assert seen == [(torch.bfloat16, True)] * 2
    seen.clear()
    step, context = bench._variant('bare')
    with context():
        step()
    assert seen == [(torch.float32, False)] * 2  # the toggles were undone
    for hook in hooks:
        hook.remove()
    assert not [n for n, p in bench.model.named_parameters() if p.grad is not None and p.grad.any()]
    with pytest.raises(ValueError, match="'bare\\+fft-per-image'"):
        bench._variant('bare+fft-per-image')


def test_summary_pairs_each_toggle_with_the_bare_step_run_the_same_way():
    times = {'bare': [1.0, 2.0], 'cmid': [1.2, 2.2], 'bare+bf16': [0.5, 1.0], 'bf16': [0.6, 1.3]}
    lines = summary(times, batch_size=8)
    assert 'bare backbone, bf16:' in lines[2]
    text = '\n'.join(lines)
    assert 'per-round ratio bf16 / bare+bf16: median 1.250 (min 1.200, max 1.300' in text
    assert 'per-round ratio cmid / bare: median 1.150 (min 1.100, max 1.200' in text
    assert not [line for line in lines if 'bare+bf16 / cmid' in line]  # a bare step vs CMID


def test_the_queue_one_product_toggle_computes_the_heads_loss_and_gradient():
    """The benchmark's one-product form of the global loss gives the head's loss and gradient
    (within float rounding) and enqueues the keys like the head."""
    import torch
    from cmid_mm.engine.step_benchmark import TOGGLES
    bench = tiny_benchmark()
    head = bench.model.global_head
    torch.manual_seed(0)
    query = torch.randn(4, head.queue.shape[0], requires_grad=True)
    key = torch.randn(4, head.queue.shape[0])
    queue, ptr = head.queue.clone(), head.queue_ptr.clone()
    loss = head.loss(query, key)
    grad, = torch.autograd.grad(loss, query)
    after = head.queue.clone()
    head.queue.copy_(queue), head.queue_ptr.copy_(ptr)
    with TOGGLES['queue-one-product'](bench):
        per_view = head.loss(query, key)
        per_view_grad, = torch.autograd.grad(per_view, query)
    torch.testing.assert_close(per_view, loss)
    torch.testing.assert_close(per_view_grad, grad)
    torch.testing.assert_close(head.queue, after)


def test_a_child_reports_its_own_peak_memory_not_its_parents():
    ballast = b'\x01' * (1024 ** 3)  # 1 GiB written, so resident, in this process
    child = peak_rss_mib_in_subprocess([sys.executable, '-c', (
        'from cmid_mm.engine.step_benchmark import peak_rss_mib; '
        'print(f"peak RSS: {peak_rss_mib():.0f} MiB")')])
    assert peak_rss_mib() > 1024
    assert child < peak_rss_mib() - 700, (child, peak_rss_mib())
    del ballast


def test_run_guarded_stops_a_process_past_its_memory_limit_or_timeout():
    hold = 'import time; b = bytearray({mib} * 2 ** 20); b[::4096] = b"\\x01" * len(b[::4096]); ' \
           'print("allocated", flush=True); time.sleep(60)'
    code, out, _, why = run_guarded([sys.executable, '-c', hold.format(mib=400)],
                                    timeout_s=50, max_rss_mib=200)
    assert why.startswith('RSS passed the 200 MiB limit after ') and code != 0
    code, out, _, why = run_guarded([sys.executable, '-c', 'import time; time.sleep(60)'],
                                    timeout_s=1)
    assert why == 'over the 1 s timeout'
    code, out, _, why = run_guarded([sys.executable, '-c', 'print("done")'], timeout_s=50,
                                    max_rss_mib=500)
    assert (code, out, why) == (0, 'done\n', None)


def test_a_cell_is_not_started_when_a_smaller_batch_predicts_it_passes_a_guard():
    done = {8: dict(ms=1000., build_mib=1000., peak_mib=3000.)}  # 250 MiB per image
    assert predicted_skip({}, 8, steps=3, timeout_s=10, limit_mib=4000) is None
    assert predicted_skip(done, 16, steps=3, timeout_s=10, limit_mib=6000) is None  # 5000, 6 s
    assert predicted_skip(done, 32, steps=3, timeout_s=100, limit_mib=6000) == (
        'predicted 9000 MiB from batch 8, over the 6000 MiB limit')
    assert predicted_skip(done, 32, steps=3, timeout_s=10, limit_mib=10000) == (
        'predicted 12 s of steps from batch 8, over the 10 s timeout')


def test_step_report_parsing_and_scaling_rows():
    out = ('CMID step:                   1234.5 ms/step    6.48 img/s  (min 1200.0, max 1300.0, '
           '2 rounds)\nRSS after the build: 1000 MiB\npeak RSS: 3000 MiB\n')
    cell = parse_step_report(out)
    assert cell == dict(ms=1234.5, ms_min=1200., ms_max=1300., peak_mib=3000., build_mib=1000.)
    assert scaling_row('ResNet-50', 112, 8, cell, 1.5) == (
        '| ResNet-50 | 112 | 8 | 1234 (1200-1300) | 154 | 617 | 3000 | 1000 | 250 | 1.50 |')
    assert scaling_row('ResNet-50', 320, 32, None, 2.0, 'why') == (
        '| ResNet-50 | 320 | 32 | skipped (why) | | | | | | 2.00 |')
    assert len(SCALING_HEADER[0].split('|')) == len(scaling_row('m', 1, 1, cell, 0).split('|'))
    a, b, r = linear_fit([8, 16, 32], [10., 18., 34.])
    assert (round(a, 6), round(b, 6), round(r, 6)) == (2., 1., 0.)
