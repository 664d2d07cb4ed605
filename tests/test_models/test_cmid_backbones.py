import pytest
import torch
from mmpretrain.models.backbones import ResNet, SwinTransformer, VisionTransformer

from cmid_mm.models import CMIDResNet, CMIDSwinTransformer, CMIDVisionTransformer

VIT_TINY = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
SWIN_TINY = dict(embed_dims=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])

CASES = {
    'resnet': (CMIDResNet, ResNet, dict(depth=18), 'layer1'),
    'swin': (CMIDSwinTransformer, SwinTransformer, dict(arch=SWIN_TINY, img_size=64, window_size=2),
             'stages.0'),
    'vit': (CMIDVisionTransformer, VisionTransformer,
            dict(arch=VIT_TINY, img_size=64, patch_size=16), 'layers.0'),
}


def _built_in_eval_mode(cls, kwargs, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    model = cls(**kwargs)
    model.eval()  # mmpretrain's train() overrides return None: no chaining
    return model


def _capture_input(model, name):
    store = {}
    model.get_submodule(name).register_forward_pre_hook(lambda m, args: store.update(x=args[0]))
    return store


@pytest.mark.parametrize('case', CASES)
def test_state_dict_keys_equal_the_plain_backbone(case):
    cmid_cls, plain_cls, kwargs, _ = CASES[case]
    assert cmid_cls(**kwargs).state_dict().keys() == plain_cls(**kwargs).state_dict().keys()


@pytest.mark.parametrize('case', CASES)
def test_without_mask_the_output_equals_the_plain_backbone(case):
    cmid_cls, plain_cls, kwargs, _ = CASES[case]
    cmid = _built_in_eval_mode(cmid_cls, kwargs, seed=0)
    plain = _built_in_eval_mode(plain_cls, kwargs)
    plain.load_state_dict(cmid.state_dict())
    x = torch.randn(2, 3, 64, 64)
    out_plain = plain(x)[-1]
    if case == 'vit':  # the CMID ViT returns the patch-token map; compare against the same
        plain.out_type = 'featmap'
        out_plain = plain(x)[-1]
    torch.testing.assert_close(cmid(x)[-1], out_plain)


@pytest.mark.parametrize('case', CASES)
def test_mask_token_changes_only_masked_positions(case):
    cmid_cls, _, kwargs, first_block = CASES[case]
    model = _built_in_eval_mode(cmid_cls, kwargs, seed=0)
    store = _capture_input(model, first_block)
    x = torch.randn(2, 3, 64, 64)
    mask = torch.zeros(2, 2, 2)
    mask[0, 1, 0] = mask[1, 0, 1] = 1
    token = torch.randn(1, model.mask_token_dims)
    model(x)
    clean = store['x']
    model(x, mask=mask, mask_token=token)
    masked = store['x']
    if case == 'resnet':  # (B, C, 16, 16) at stride 4: token added in 8x8 masked blocks
        diff = (masked - clean)
        m = mask.repeat_interleave(8, 1).repeat_interleave(8, 2).bool()
        torch.testing.assert_close(diff.permute(0, 2, 3, 1)[m], token.expand(int(m.sum()), -1))
        assert diff.permute(0, 2, 3, 1)[~m].abs().max() == 0
    else:
        if case == 'vit':  # drop the cls token, which must be untouched
            assert torch.equal(masked[:, 0], clean[:, 0])
            masked, clean = masked[:, 1:], clean[:, 1:]
        per = 16 if case == 'swin' else 4  # tokens per side: stride 4 (Swin), 16 (ViT)
        m = mask.repeat_interleave(per // 2, 1).repeat_interleave(per // 2, 2).flatten(1).bool()
        changed = (masked - clean).abs().amax(-1) > 0
        assert torch.equal(changed, m)
        if case == 'swin':  # added, not substituted
            torch.testing.assert_close((masked - clean)[m], token.expand(int(m.sum()), -1))


@pytest.mark.parametrize('case', CASES)
def test_n_band_forward(case):
    cmid_cls, _, kwargs, _ = CASES[case]
    model = cmid_cls(in_channels=6, **kwargs)
    out = model(torch.randn(1, 6, 64, 64), mask=torch.ones(1, 2, 2),
                mask_token=torch.zeros(1, model.mask_token_dims))[-1]
    assert out.shape[0] == 1 and out.dim() == 4
