"""oneDNN linear layers: the same products and gradients as ``F.linear`` / the 1x1 convolution
(float rounding apart), taken only on CPU fp32 without autocast, and a whole CMID step's
losses and gradients unchanged."""
import pytest
import torch
import torch.nn.functional as F

from cmid_mm.models.necks import CMIDLinearDecoder, CMIDLocalNeck
from cmid_mm.models.utils import onednn_linear
from cmid_mm.models.utils.onednn_linear import OneDNNLinear, applies, linear, mkl_linear

pytestmark = pytest.mark.skipif(onednn_linear._OP is None,
                                reason='this torch build has no mkldnn._linear_pointwise')


def rel_err(a, b):
    """Largest difference relative to ``b``'s largest magnitude (0 where both are all 0)."""
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


@pytest.fixture
def products(monkeypatch):
    """Counts the oneDNN products :func:`linear` runs."""
    calls = []
    product = onednn_linear._product

    def counted(*args):
        calls.append(args[0].shape)
        return product(*args)

    monkeypatch.setattr(onednn_linear, '_product', counted)
    return calls


@pytest.mark.parametrize('x_shape,out', [((40, 64), 48), ((2, 5, 64), 48), ((7, 64), 3)])
def test_linear_gives_f_linear_and_its_three_gradients(products, x_shape, out):
    torch.manual_seed(0)
    x = torch.randn(*x_shape, requires_grad=True)
    weight = torch.randn(out, x_shape[-1], requires_grad=True)
    bias = torch.randn(out, requires_grad=True)
    grad = torch.randn(*x_shape[:-1], out)
    y = linear(x, weight, bias)
    grads = torch.autograd.grad(y, (x, weight, bias), grad)
    assert len(products) == 3  # forward, grad of x, grad of the weight: all in oneDNN
    ref = F.linear(x, weight, bias)
    ref_grads = torch.autograd.grad(ref, (x, weight, bias), grad)
    assert y.shape == ref.shape
    assert rel_err(y, ref) < 1e-5
    for g, r in zip(grads, ref_grads):
        assert rel_err(g, r) < 1e-5


def test_linear_on_a_transposed_input_and_a_weight_changed_in_place():
    x = torch.randn(64, 10).t()  # not contiguous
    weight = torch.randn(5, 64)
    before = linear(x, weight)
    weight.mul_(2)  # what an optimizer step does: nothing cached from the old weight
    torch.testing.assert_close(linear(x, weight), 2 * before, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(linear(x, weight), F.linear(x, weight), rtol=1e-5, atol=1e-5)


def test_only_cpu_fp32_without_autocast_takes_the_onednn_path(products):
    x, weight = torch.randn(4, 8), torch.randn(3, 8)
    assert applies(x)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert not applies(x)
        assert linear(x, weight).dtype == torch.bfloat16  # autocast's own linear
    assert not applies(x.double())
    linear(x.double(), weight.double())
    with mkl_linear():
        assert not applies(x)
        linear(x, weight)
    assert applies(x)  # undone
    assert products == []


def test_an_empty_input_gives_f_linear_and_its_gradients():
    x = torch.randn(0, 8, requires_grad=True)
    weight, bias = torch.randn(3, 8, requires_grad=True), torch.randn(3, requires_grad=True)
    assert not applies(x)  # oneDNN has no empty product
    y = linear(x, weight, bias)
    assert y.shape == (0, 3)
    y.sum().backward()
    assert not weight.grad.any() and not bias.grad.any() and x.grad.shape == (0, 8)


def test_the_neck_keeps_nn_linear_parameters_and_state_dict_keys(products):
    neck = CMIDLocalNeck(in_channels=16, hid_channels=32, bottleneck_channels=8, out_channels=12)
    linears = [m for m in neck.mlp if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 3 and all(isinstance(m, OneDNNLinear) for m in linears)
    assert [k for k in neck.state_dict() if k.endswith('weight')][:2] == ['mlp.0.weight',
                                                                          'mlp.1.weight']
    neck.init_weights()
    neck(torch.randn(6, 16))
    assert len(products) == 4  # three layers and the prototypes


def test_the_decoder_as_one_product_equals_its_1x1_convolution(products):
    torch.manual_seed(0)
    decoder = CMIDLinearDecoder(in_channels=32, encoder_stride=4, out_channels=3)
    x = torch.randn(2, 32, 3, 5, requires_grad=True)
    conv = decoder.decoder[0]
    y = decoder(x)
    grad = torch.randn_like(y)
    grads = torch.autograd.grad(y, (x, conv.weight, conv.bias), grad)
    assert products  # the oneDNN path ran
    ref = F.pixel_shuffle(conv(x), 4)  # mmpretrain's decoder: the convolution, then shuffled
    ref_grads = torch.autograd.grad(ref, (x, conv.weight, conv.bias), grad)
    assert y.shape == ref.shape == (2, 3, 12, 20)
    assert rel_err(y, ref) < 1e-5
    for g, r in zip(grads, ref_grads):
        assert rel_err(g, r) < 1e-5


def test_a_cmid_step_has_the_same_losses_and_gradients_as_with_torchs_own_ops():
    from tests.test_engine.test_step_benchmark import (one_step_losses_and_grads,
                                                       tiny_benchmark)
    bench = tiny_benchmark()
    model = bench.model
    state = {k: v.clone() for k, v in model.state_dict().items()}

    losses, grads = one_step_losses_and_grads(bench, state)
    with mkl_linear():
        ref_losses, ref_grads = one_step_losses_and_grads(bench, state)
    assert losses.keys() == ref_losses.keys() == {'loss_global', 'loss_local', 'loss_rec'}
    for k in losses:
        torch.testing.assert_close(losses[k], ref_losses[k], rtol=1e-5, atol=1e-6)
    assert grads.keys() == ref_grads.keys()
    assert any(n.startswith('local_neck') for n in grads) and 'decoder.decoder.0.weight' in grads
    for n in grads:
        assert rel_err(grads[n], ref_grads[n]) < 1e-4, n
