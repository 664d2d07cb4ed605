"""``CMIDReconstructionHead.decoded_loss``: decoding only the masked cells and one batch mean
gives ``loss(decoder(feats), ...)``'s value and gradients, and it decodes every cell where
that would not be exact."""
import pytest
import torch

from cmid_mm.models import CMIDReconstructionHead
from cmid_mm.models.necks import CMIDLinearDecoder
from cmid_mm.models.utils.onednn_linear import mkl_linear


def setup(stride=8, cells=4, mask_grid=2, bands=3, batch=3, seed=0):
    """A decoder, features (2B, K, cells, cells), images and block masks of ``mask_grid``^2."""
    torch.manual_seed(seed)
    decoder = CMIDLinearDecoder(in_channels=16, encoder_stride=stride, out_channels=bands)
    feats = torch.randn(2 * batch, 16, cells, cells)
    images = torch.randn(2 * batch, bands, cells * stride, cells * stride)
    masks = (torch.rand(2 * batch, mask_grid, mask_grid) > 0.4).to(torch.uint8)
    masks[0] = 1  # an image all masked, one with nothing masked
    masks[1] = 0
    return decoder, feats, images, masks


def loss_and_grads(head, decoder, feats, images, masks, dense):
    decoder.zero_grad()
    feats = feats.clone().requires_grad_()
    if dense:
        loss = head.loss(decoder(feats), images, masks)
    else:
        loss = head.decoded_loss(decoder, feats, images, masks)
    loss.backward()
    conv = decoder.decoder[0]
    return loss.detach(), [feats.grad, conv.weight.grad.clone(), conv.bias.grad.clone()]


def assert_same(head, decoder, feats, images, masks):
    dense_loss, dense_grads = loss_and_grads(head, decoder, feats, images, masks, dense=True)
    loss, grads = loss_and_grads(head, decoder, feats, images, masks, dense=False)
    assert loss.item() == pytest.approx(dense_loss.item(), rel=1e-5)
    for g, d in zip(grads, dense_grads):
        assert (g - d).norm() <= 1e-5 * d.norm()


@pytest.mark.parametrize('mask_grid', [4, 2, 1])  # a mask block of 1, 2 and 4 cells a side
@pytest.mark.parametrize('freq', [True, False])
def test_the_masked_cells_give_the_dense_loss_and_gradients(mask_grid, freq):
    head = CMIDReconstructionHead(loss_freq=dict(type='FocalFrequencyLoss') if freq else None)
    decoder, feats, images, masks = setup(mask_grid=mask_grid)
    assert head._cell_mask(decoder, feats, images, masks) is not None  # the cell path runs
    assert_same(head, decoder, feats, images, masks)


@pytest.mark.parametrize('masked', [0, 1])
def test_a_batch_with_no_masked_cell_or_all_cells_masked(masked):
    decoder, feats, images, masks = setup(mask_grid=2)
    masks.fill_(masked)
    assert_same(CMIDReconstructionHead(), decoder, feats, images, masks)


def test_the_same_through_torch_linear_and_for_six_bands_at_stride_16():
    head = CMIDReconstructionHead()
    with mkl_linear():
        assert_same(head, *setup(stride=8, mask_grid=4))
    assert_same(head, *setup(stride=16, cells=2, mask_grid=1, bands=6, batch=2, seed=1))


def test_the_cell_path_does_not_decode_every_cell(monkeypatch):
    head = CMIDReconstructionHead()
    decoder, feats, images, masks = setup(mask_grid=2)
    rows = []
    decode_cells = decoder.decode_cells
    monkeypatch.setattr(decoder, 'forward', lambda x: pytest.fail('decoded every cell'))
    monkeypatch.setattr(decoder, 'decode_cells',
                        lambda cells, *a: rows.append(len(cells)) or decode_cells(cells, *a))
    head.decoded_loss(decoder, feats, images, masks)
    masked_cells = int(masks.sum()) * 4  # each mask block holds 2 x 2 cells
    # per view: its masked cells, then two batch means of the 16 cells
    assert sum(rows) == masked_cells + 2 * 2 * 16


@pytest.mark.parametrize('case', ['mask blocks smaller than a cell', 'per-image spectra',
                                  'switched off', 'decoder without decode_cells'])
def test_it_decodes_every_cell_where_the_cells_would_not_be_exact(case):
    head = CMIDReconstructionHead()
    decoder, feats, images, masks = setup(mask_grid=2)
    if case == 'mask blocks smaller than a cell':
        decoder, feats, images, masks = setup(mask_grid=8)  # 4 px blocks, 8 px cells
    elif case == 'per-image spectra':
        head.loss_freq.spectrum_of_mean = False
    elif case == 'switched off':
        head = CMIDReconstructionHead(decode_masked_cells=False)
    else:
        decoder = torch.nn.Sequential(*decoder.decoder)
    assert head._cell_mask(decoder, feats, images, masks) is None
    expected = head.loss(decoder(feats), images, masks)
    assert head.decoded_loss(decoder, feats, images, masks).item() == expected.item()


def test_a_cmid_step_has_the_dense_losses_and_gradients(monkeypatch):
    from tests.test_engine.test_step_benchmark import (one_step_losses_and_grads,
                                                       tiny_benchmark)
    bench = tiny_benchmark()
    model = bench.model
    state = {k: v.clone() for k, v in model.state_dict().items()}
    _, dense_rec = bench._variant('dense-rec')  # what the benchmark toggle times

    forward = model.decoder.forward
    monkeypatch.setattr(model.decoder, 'forward', lambda x: pytest.fail('decoded every cell'))
    losses, grads = one_step_losses_and_grads(bench, state)
    monkeypatch.setattr(model.decoder, 'forward', forward)
    with dense_rec():
        assert not model.rec_head.decode_masked_cells
        ref_losses, ref_grads = one_step_losses_and_grads(bench, state)
    assert model.rec_head.decode_masked_cells  # the toggle undone
    assert losses.keys() == ref_losses.keys() == {'loss_global', 'loss_local', 'loss_rec'}
    for k in losses:
        torch.testing.assert_close(losses[k], ref_losses[k], rtol=1e-5, atol=1e-6)
    assert grads.keys() == ref_grads.keys() and 'mask_token' in grads
    for n in grads:
        assert (grads[n] - ref_grads[n]).norm() <= 1e-4 * ref_grads[n].norm() + 1e-12, n
