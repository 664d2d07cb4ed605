import copy
import math

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.models.backbones import ResNet, SwinTransformer, VisionTransformer
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from cmid_mm.datasets import CMIDTwoViews
from cmid_mm.engine.hooks.teacher_temp_warmup_hook import warmup_value
from cmid_mm.models import fill_masked_with_mean


def tiny_cmid(**overrides):
    """CMID on a ResNet-18 with small heads, from the repo's demo config."""
    cfg = Config.fromfile('configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py').model
    cfg.global_head.queue_len = 64
    cfg.local_head.num_pairs = 2
    cfg.update(overrides)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def fake_batch(model, batch=2, size=64, seed=0):
    """Run CMIDTwoViews on random images and pack them like the dataloader + preprocessor."""
    np.random.seed(seed)
    views = CMIDTwoViews(img_size=size)
    samples = [views(dict(img=np.random.randint(0, 255, (80, 80, 3), np.uint8)))
               for _ in range(batch)]
    inputs = [torch.stack([torch.from_numpy(s['img'][v]).permute(2, 0, 1) for s in samples])
              for v in range(2)]
    data_samples = [DataSample(crop_boxes=s['crop_boxes']).set_mask(s['mask']) for s in samples]
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=data_samples), True)
    return data['inputs'], data['data_samples']


@pytest.fixture
def runner_info(message_hub):
    message_hub.update_info('iter', 0)
    message_hub.update_info('max_iters', 10)
    message_hub.update_info('max_epochs', 1)
    return message_hub


def test_loss_returns_the_three_terms_and_backpropagates(runner_info):
    model = tiny_cmid()
    losses = model(*fake_batch(model), mode='loss')
    assert set(losses) == {'loss_global', 'loss_local', 'loss_rec'}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert model.mask_token.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.teacher.parameters())


def test_loss_is_the_former_wiring_of_the_parts(runner_info):
    """Losses and gradients equal, to the bit, the parts run by hand in the order loss() ran
    them before the matching moved into the head (algorithm-side gather of matched cells)."""
    torch.manual_seed(0)
    model = tiny_cmid()
    by_hand = copy.deepcopy(model)
    inputs, data_samples = fake_batch(model, batch=3)
    losses = model(copy.deepcopy(inputs), copy.deepcopy(data_samples), mode='loss')
    sum(losses.values()).backward()

    m = by_hand
    images = torch.cat(inputs)
    masks = torch.stack([torch.as_tensor(s.mask) for s in data_samples], 1).flatten(0, 1)
    boxes = torch.stack([torch.as_tensor(s.crop_boxes) for s in data_samples], 1).flatten(0, 1)
    student_feat = m.backbone(fill_masked_with_mean(images, masks), mask=masks,
                              mask_token=m.mask_token)[-1]
    m.teacher.update_parameters(m._student_parts())
    teacher = m.teacher.module
    with torch.no_grad():
        teacher_feat = teacher.backbone(images)[-1]
        keys = teacher.global_neck((teacher_feat, ))[0]
    expected = dict(loss_global=m.global_head.loss(m.global_neck((student_feat, ))[0], keys))

    def other_view(t):
        return torch.cat(t.chunk(2)[::-1])

    def gather(feat, idx):
        cells = feat.flatten(2).transpose(1, 2)
        return cells.gather(1, idx.unsqueeze(-1).expand(-1, -1, cells.shape[-1])).flatten(0, 1)

    coords = m.local_head.cell_centers(boxes, student_feat.shape[-2:], images.shape[-2:])
    s_idx, t_idx = m.local_head.match(coords, other_view(coords))
    with torch.no_grad():
        teacher_out = teacher.local_neck(gather(other_view(teacher_feat), t_idx))
    expected['loss_local'] = m.local_head.loss(m.local_neck(gather(student_feat, s_idx)),
                                               teacher_out)
    # decoded_loss == loss(decoder(feat), ...) up to float rounding: test_reconstruction_of_cells
    expected['loss_rec'] = m.rec_head.decoded_loss(m.decoder, student_feat, images, masks)
    sum(expected.values()).backward()

    assert {k: v.item() for k, v in losses.items()} == {k: v.item() for k, v in expected.items()}
    grads = dict(by_hand.named_parameters())
    for name, p in model.named_parameters():
        assert (p.grad is None) == (grads[name].grad is None), name
        if p.grad is not None:
            assert torch.equal(p.grad, grads[name].grad), name
    assert torch.equal(model.local_head.center, by_hand.local_head.center)


def test_reconstruct_is_what_the_reconstruction_loss_sees(runner_info):
    torch.manual_seed(0)
    model = tiny_cmid(global_neck=None, global_head=None, local_neck=None, local_head=None)
    inputs, data_samples = fake_batch(model)
    images = torch.cat(inputs)
    masks = torch.stack([torch.as_tensor(s.mask) for s in data_samples], 1).flatten(0, 1)
    model.eval()  # BN in eval mode: the two forward passes see the same statistics
    with torch.no_grad():
        rec = model.reconstruct(images, masks)
        loss = model(inputs, data_samples, mode='loss')['loss_rec']
    assert rec.shape == images.shape
    assert torch.equal(model.rec_head.loss(rec, images, masks), loss)


def test_tensor_mode_gives_backbone_features(runner_info):
    model = tiny_cmid()
    feats = model(torch.randn(2, 3, 64, 64), mode='tensor')
    assert feats[-1].shape == (2, 512, 2, 2)


@pytest.mark.parametrize('off,keys,has_teacher', [
    (('local', 'rec'), {'loss_global'}, True),
    (('global', 'rec'), {'loss_local'}, True),
    (('global', 'local'), {'loss_rec'}, False),
    (('rec', ), {'loss_global', 'loss_local'}, True),
])
def test_branches_switch_off_from_the_config(runner_info, off, keys, has_teacher):
    names = dict(global_=('global_neck', 'global_head'), local=('local_neck', 'local_head'),
                 rec=('decoder', 'rec_head'))
    overrides = {k: None for b in off for k in names['global_' if b == 'global' else b]}
    model = tiny_cmid(**overrides)
    assert set(model(*fake_batch(model), mode='loss')) == keys
    assert (model.teacher is not None) == has_teacher


def test_half_a_branch_is_a_clear_error():
    with pytest.raises(ValueError, match='model.local_head is None'):
        tiny_cmid(local_head=None)


def test_ema_teacher_momentum_at_first_and_last_iteration(runner_info):
    model = tiny_cmid()
    batch = fake_batch(model)
    model(*batch, mode='loss')  # EMA step 0: the teacher copies the student
    student = model.backbone.conv1.weight
    teacher = model.teacher.module.backbone.conv1.weight
    torch.testing.assert_close(teacher, student)

    def momentum_after_step(step):
        model.teacher.steps.fill_(step)
        before = teacher.detach().clone()
        with torch.no_grad():
            student.add_(torch.randn_like(student))
        model(*batch, mode='loss')
        # teacher = m * before + (1 - m) * student  =>  solve for m
        return ((teacher - student) / (before - student)).mean().item()

    max_iters = 10
    assert momentum_after_step(1) == pytest.approx(
        1 - 0.004 * (math.cos(math.pi / max_iters) + 1) / 2, abs=1e-5)
    assert momentum_after_step(max_iters - 1) == pytest.approx(
        1 - 0.004 * (math.cos(math.pi * (max_iters - 1) / max_iters) + 1) / 2, abs=1e-5)
    assert momentum_after_step(max_iters - 1) > 0.9999


def test_teacher_batchnorm_statistics_follow_the_student(runner_info):
    model = tiny_cmid()
    model(*fake_batch(model), mode='loss')
    s_bn, t_bn = model.backbone.bn1, model.teacher.module.backbone.bn1
    with torch.no_grad():
        s_bn.running_mean.add_(1.)
    assert not torch.equal(t_bn.running_mean, s_bn.running_mean)
    model.teacher.update_parameters(model._student_parts())  # what loss() does first
    assert torch.equal(t_bn.running_mean, s_bn.running_mean)
    assert torch.equal(t_bn.running_var, s_bn.running_var)


@pytest.mark.parametrize('config,plain', [
    ('configs/cmid/cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py', lambda: ResNet(depth=50)),
    ('configs/cmid/cmid_swin-base_4xb64-adan-coslr-400e_millionaid.py',
     lambda: SwinTransformer(arch='base')),
    ('configs/cmid/cmid_vit-base-p16_4xb64-adan-coslr-400e_millionaid.py',
     lambda: VisionTransformer(arch='base')),
])
def test_student_backbone_loads_into_the_plain_mmpretrain_backbone(config, plain):
    cfg = Config.fromfile(config).model
    cfg.global_head.queue_len = 16
    state = MODELS.build(cfg).state_dict()
    backbone = {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}
    result = plain().load_state_dict(backbone, strict=True)
    assert not result.missing_keys and not result.unexpected_keys


def test_overfits_a_fixed_batch(runner_info):
    """A short run on one fixed batch lowers the total loss.

    The global term is not expected to fall here: the queue fills with keys of the very same
    images, which become hard negatives.
    """
    torch.manual_seed(0)
    model = tiny_cmid()
    runner_info.update_info('max_iters', 60)
    batch = fake_batch(model, batch=4)
    optim = torch.optim.AdamW(model.parameters(), lr=1e-3)
    history = []
    for it in range(30):
        runner_info.update_info('iter', it)
        model.local_head.current_teacher_temp = warmup_value(0.04, 0.07, it, 100)  # the hook's
        losses = model(*copy.deepcopy(batch), mode='loss')
        optim.zero_grad()
        sum(losses.values()).backward()
        optim.step()
        history.append({k: v.item() for k, v in losses.items()})

    def mean(key, rows):
        return np.mean([sum(r.values()) if key == 'total' else r[key] for r in rows])

    for key, factor in (('total', 0.95), ('loss_rec', 0.5), ('loss_local', 0.95)):
        assert mean(key, history[-5:]) < factor * mean(key, history[:5]), (key, history)


STOCHASTIC = {  # tiny archs with every dropout / drop-path rate of the backbone switched on
    'resnet': dict(backbone=dict(type='CMIDResNet', depth=18, out_indices=(3, ),
                                 drop_path_rate=0.3,
                                 zero_init_residual=False),  # else drop-path drops zeros
                   channels=512, stride=32),
    'swin': dict(backbone=dict(type='CMIDSwinTransformer', img_size=64, window_size=2,
                               arch=dict(embed_dims=16, depths=[1, 1, 1, 1],
                                         num_heads=[1, 1, 2, 2]),
                               out_indices=(3, ), drop_rate=0.3, drop_path_rate=0.3,
                               stage_cfgs=dict(block_cfgs=dict(attn_cfgs=dict(attn_drop=0.3)))),
                 channels=128, stride=32),
    'vit': dict(backbone=dict(type='CMIDVisionTransformer', img_size=64, patch_size=16,
                              arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                                        feedforward_channels=64),
                              drop_rate=0.3, drop_path_rate=0.3,
                              layer_cfgs=dict(attn_drop_rate=0.3)), channels=32, stride=16),
}


@pytest.mark.parametrize('arch', STOCHASTIC)
def test_teacher_is_deterministic_in_training_mode_whatever_the_student_dropout(runner_info,
                                                                                arch):
    case = STOCHASTIC[arch]
    c = case['channels']
    cfg = Config.fromfile('configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py').model
    cfg.global_head.queue_len = 64
    cfg.local_head.num_pairs = 2
    for key, value in dict(
        backbone=case['backbone'],
        global_neck=dict(type='MoCoV2Neck', in_channels=c, hid_channels=64, out_channels=128,
                         with_avg_pool=True),
        local_neck=dict(type='CMIDLocalNeck', in_channels=c, hid_channels=64,
                        bottleneck_channels=32, out_channels=512, with_bn=True),
        decoder=dict(type='CMIDLinearDecoder', in_channels=c, encoder_stride=case['stride'],
                     out_channels=3)).items():
        cfg[key] = value  # replaced, not merged
    model = MODELS.build(cfg)
    model.init_weights()
    model.train()
    model(*fake_batch(model), mode='loss')  # one EMA step, as in training
    assert model.teacher.module.training
    images = torch.randn(4, 3, 64, 64)
    teacher = model.teacher.module
    with torch.no_grad():
        t1 = teacher.global_neck((teacher.backbone(images)[-1], ))[0]
        t2 = teacher.global_neck((teacher.backbone(images)[-1], ))[0]
        s1, s2 = model.backbone(images)[-1], model.backbone(images)[-1]
    assert torch.equal(t1, t2)
    assert not torch.equal(s1, s2)  # the student keeps its dropout / drop-path


def test_skip_mode_stops_once_too_many_steps_were_skipped(runner_info):
    model = tiny_cmid(nonfinite_loss='skip', max_skipped_ratio=0.25, min_steps_for_ratio=8)
    good = {'loss_rec': torch.tensor(1., requires_grad=True)}
    bad = {'loss_rec': torch.tensor(float('nan'))}
    # 2 of 7 skipped: fewer steps than the minimum; then 3 of 12 = 25 %: not above the share
    for losses in [bad] * 2 + [good] * 9 + [bad]:
        model.parse_losses(losses)
    assert (model.skipped_steps, model.seen_steps) == (3, 12)
    with pytest.raises(FloatingPointError,
                       match=r'4 of the 13 steps so far had a non-finite loss \(30.8% > '
                             r'model.max_skipped_ratio=25.0%\)'):
        model.parse_losses(bad)
