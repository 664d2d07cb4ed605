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
