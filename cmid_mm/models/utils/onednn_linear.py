"""Linear layers whose CPU fp32 products run in oneDNN instead of MKL.

Why: on the AMD EPYC CPUs measured here torch's fp32 ``F.linear`` / ``mm`` go to MKL, which
runs at 75-97 GFLOP/s (one thread), while oneDNN's matmul (``torch.ops.mkldnn._linear_pointwise``,
what torch.compile's CPU backend calls) runs the same products at 165-215 GFLOP/s: the local
neck's 320 x 2048 x 2048 layers, forward and both backward products, and the decoder's
784 x 2048 x 3072 (``tools/analysis_tools/benchmark_pretrain.py --variants cmid mkl-linear``).
No library ships an autograd linear on that op, hence this one. The result is the same product
summed in another order (float rounding apart; tested against ``F.linear``).

Used only where it applies: CPU, float32, autocast off, the op present in this torch build;
anywhere else (CUDA, bf16 autocast, float64) ``F.linear`` runs as usual.
"""
from contextlib import contextmanager
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

_OP = getattr(getattr(torch.ops, 'mkldnn', None), '_linear_pointwise', None)
_state = {'enabled': True}


def _product(x: torch.Tensor, weight: torch.Tensor,
             bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``x @ weight.T + bias`` for 2-D ``x`` (N, in) and ``weight`` (out, in), in oneDNN."""
    return _OP(x, weight, bias, 'none', [], '')


class _OneDNNLinear(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return _product(x, weight, bias)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad = grad.contiguous()
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = _product(grad, weight.t())  # grad @ W
        if ctx.needs_input_grad[1]:
            grad_w = _product(grad.t(), x.t())  # grad.T @ x
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad.sum(0)
        return grad_x, grad_w, grad_b


def applies(x: torch.Tensor) -> bool:
    """Whether :func:`linear` takes the oneDNN path for input ``x``."""
    # oneDNN has no primitive for an empty product (a view without masked cells, say)
    return (_OP is not None and _state['enabled'] and x.device.type == 'cpu'
            and x.dtype == torch.float32 and not torch.is_autocast_enabled('cpu')
            and x.numel() > 0)


def linear(x: torch.Tensor, weight: torch.Tensor,
           bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``F.linear``, through oneDNN where :func:`applies`; ``x`` of any leading shape."""
    if not (applies(x) and weight.dtype == torch.float32):
        return F.linear(x, weight, bias)
    out = _OneDNNLinear.apply(x.reshape(-1, x.shape[-1]), weight, bias)
    return out.reshape(*x.shape[:-1], weight.shape[0])


@contextmanager
def mkl_linear():
    """Undo the optimisation: every :func:`linear` runs ``F.linear`` (for comparisons)."""
    before = _state['enabled']
    _state['enabled'] = False
    try:
        yield
    finally:
        _state['enabled'] = before


class OneDNNLinear(nn.Linear):
    """``nn.Linear`` (same parameters and state-dict keys) whose forward is :func:`linear`."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return linear(x, self.weight, self.bias)
