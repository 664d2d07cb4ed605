"""cmid_mm.checkpoint.convert_backbone and tools/model_converters over it: one CMID checkpoint into
mmpretrain / mmseg / mmdet backbones."""
import argparse
import fractions
import os
import os.path as osp
import subprocess
import sys

import pytest
import timm
import torch
import torchvision
from mmdet.models.backbones import ResNet as DetResNet
from mmdet.models.backbones import SwinTransformer as DetSwin
from mmengine.config import Config, ConfigDict
from mmpretrain.models.backbones import ResNet, SwinTransformer, VisionTransformer
from mmpretrain.registry import MODELS
from mmseg.models.backbones import ResNet as SegResNet
from mmseg.models.backbones import SwinTransformer as SegSwin
from mmseg.models.backbones import VisionTransformer as SegViT

from cmid_mm.checkpoint import CheckpointError
from cmid_mm.checkpoint.convert import convert_backbone, official_swin_to_mmpretrain

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SWIN_B = dict(embed_dims=128, depths=(2, 2, 18, 2), num_heads=(4, 8, 16, 32))

ARCHS = {  # CMID pretraining config, classification config, mmpretrain reference of native nets
    'resnet': ('configs/cmid/cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py',
               'configs/classification/cmid_resnet50_1xb64-adan-coslr-200e_ucmerced-8-2.py',
               lambda: ResNet(depth=50)),
    'swin': ('configs/cmid/cmid_swin-base_4xb64-adan-coslr-400e_millionaid.py',
             'configs/classification/cmid_swin-base_1xb64-adan-coslr-200e_ucmerced-8-2.py',
             # mmseg / mmdet pad the 7x7 last stage and keep shifting; pad_small_map does too
             lambda: SwinTransformer(arch='base', pad_small_map=True)),
    'vit': ('configs/cmid/cmid_vit-base-p16_4xb64-adan-coslr-400e_millionaid.py',
            'configs/classification/cmid_vit-base-p16_1xb64-adan-coslr-200e_ucmerced-8-2.py',
            lambda: VisionTransformer(arch='base', out_type='featmap')),
}
NATIVE = {  # the downstream libraries' own backbones, configured like the CMID ones
    ('resnet', 'mmseg'): lambda **kw: SegResNet(depth=50, **kw),
    ('resnet', 'mmdet'): lambda **kw: DetResNet(depth=50, **kw),
    ('swin', 'mmseg'): lambda **kw: SegSwin(**SWIN_B, out_indices=(3, ), **kw),
    ('swin', 'mmdet'): lambda **kw: DetSwin(**SWIN_B, out_indices=(3, ), **kw),
    ('vit', 'mmseg'): lambda **kw: SegViT(patch_bias=True, final_norm=True, **kw),
}


def extract(checkpoint, out, **kwargs):
    """What tools/model_converters/extract_backbone.py does; returns the line it prints."""
    return convert_backbone(str(checkpoint), str(out), **kwargs)


def official(checkpoint, out, **kwargs):
    """What tools/model_converters/cmid_official_to_mm.py does."""
    kwargs.setdefault('source_prefix', 'online_encoder.model.')
    return convert_backbone(str(checkpoint), str(out), official=True, **kwargs)


def convert_error(convert, *args, **kwargs):
    """The one-line message of a conversion that must fail."""
    with pytest.raises(CheckpointError) as exc:
        convert(*args, **kwargs)
    message = str(exc.value)
    assert '\n' not in message
    return message


def run_tool(tool, *args):
    return subprocess.run([sys.executable, f'tools/model_converters/{tool}.py', *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def load(path):
    return torch.load(path, map_location='cpu')  # weights_only (torch default)


def assert_same_tensors(actual, expected):
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert torch.equal(actual[key], value), key


def eval_mode(module):
    module.eval()  # some mm backbones' train() returns None, so no chaining
    return module


@pytest.fixture(scope='module', params=list(ARCHS))
def cmid_ckpt(request, tmp_path_factory):
    """(arch, path, student backbone state dict) of a CMID training checkpoint (random weights)."""
    arch = request.param
    cfg = Config.fromfile(osp.join(REPO, ARCHS[arch][0]))
    cfg.model.global_head.queue_len = 16
    model = MODELS.build(cfg.model)
    torch.manual_seed(0)
    with torch.no_grad():  # random everywhere, so the teacher differs from the student
        for key, value in model.state_dict().items():
            if key.endswith('running_var'):
                value.uniform_(0.5, 1.5)
            elif value.is_floating_point():
                value.copy_(torch.randn_like(value) * 0.02)
    state_dict = model.state_dict()
    path = tmp_path_factory.mktemp(f'cmid-{arch}') / 'epoch_1.pth'
    torch.save({'state_dict': state_dict, 'meta': {'epoch': 1}}, path)
    student = {k[len('backbone.'):]: v for k, v in state_dict.items() if k.startswith('backbone.')}
    return arch, path, student


def classification_backbone(arch, **init_cfg):
    cfg = Config.fromfile(osp.join(REPO, ARCHS[arch][1]))
    cfg.model.backbone.init_cfg = dict(cfg.model.backbone.init_cfg, **init_cfg)
    return MODELS.build(cfg.model.backbone)


def test_extract_loads_into_the_classification_backbone(cmid_ckpt, tmp_path):
    arch, ckpt, student = cmid_ckpt
    out = tmp_path / 'sub' / 'backbone.pth'
    assert f'{out}: {len(student)} {arch} backbone tensors, mmpretrain layout' in \
        extract(ckpt, out)
    assert os.listdir(out.parent) == ['backbone.pth']  # the temporary file was renamed
    saved = load(out)
    assert saved['meta']['arch'] == arch and saved['meta']['layout'] == 'mmpretrain'
    assert_same_tensors(saved['state_dict'], student)  # no prefix, the student (not the teacher)

    # the config's own init path: Pretrained init_cfg, extracted file, prefix None
    backbone = classification_backbone(arch, checkpoint=str(out), prefix=None)
    backbone.init_weights()
    assert_same_tensors(backbone.state_dict(), student)
    result = backbone.load_state_dict(saved['state_dict'], strict=False)
    assert not result.missing_keys and not result.unexpected_keys


@pytest.mark.parametrize('cmid_ckpt', ['resnet'], indirect=True)  # same mmengine path for all
def test_training_checkpoint_loads_directly_with_prefix(cmid_ckpt):
    arch, ckpt, student = cmid_ckpt
    backbone = classification_backbone(arch, checkpoint=str(ckpt))  # prefix='backbone.'
    backbone.init_weights()
    assert_same_tensors(backbone.state_dict(), student)


@pytest.mark.parametrize('layout', ['mmseg', 'mmdet'])
def test_extract_loads_into_native_dense_backbones(cmid_ckpt, layout, tmp_path):
    arch, ckpt, student = cmid_ckpt
    out = tmp_path / f'{layout}.pth'
    if (arch, layout) not in NATIVE:  # ViT in mmdet
        assert 'mmdet has no plain ViT backbone' in convert_error(extract, ckpt, out,
                                                                  layout=layout)
        assert not out.exists()
        return
    extract(ckpt, out, layout=layout)
    saved = load(out)['state_dict']
    prefix = 'backbone.' if (arch, layout) == ('swin', 'mmdet') else ''
    assert all(k.startswith(prefix) for k in saved)
    plain = {k[len(prefix):]: v for k, v in saved.items()}
    # the library's own Pretrained loading reads the file as written
    loaded = NATIVE[arch, layout](init_cfg=ConfigDict(type='Pretrained', checkpoint=str(out)))
    loaded.init_weights()
    assert_same_tensors(loaded.state_dict(), plain)
    result = loaded.load_state_dict(plain, strict=False)
    assert not result.missing_keys and not result.unexpected_keys
    # and computes what the mmpretrain backbone computes with the original keys
    reference = ARCHS[arch][2]()
    reference.load_state_dict(student, strict=True)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        expected = eval_mode(reference)(x)[-1]
        actual = eval_mode(loaded)(x)[-1]
    torch.testing.assert_close(actual, expected, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize('cmid_ckpt', ['swin'], indirect=True)
def test_swin_dense_outputs_only_miss_the_unpretrained_stage_norms(cmid_ckpt, tmp_path):
    """CMID pretrains Swin with out_indices=(3, ): norm0-2 of a 4-level backbone start fresh."""
    _, ckpt, _ = cmid_ckpt
    out = tmp_path / 'mmseg.pth'
    extract(ckpt, out, layout='mmseg')
    result = SegSwin(**SWIN_B, out_indices=(0, 1, 2, 3)).load_state_dict(
        load(out)['state_dict'], strict=False)
    assert not result.unexpected_keys
    assert sorted(result.missing_keys) == sorted(
        f'norm{i}.{p}' for i in range(3) for p in ('weight', 'bias'))


@pytest.mark.parametrize('cmid_ckpt', ['resnet'], indirect=True)
def test_extract_prefix_and_teacher_options(cmid_ckpt, tmp_path):
    _, ckpt, student = cmid_ckpt
    out = tmp_path / 'prefixed.pth'
    extract(ckpt, out, prefix='backbone.')
    assert_same_tensors(load(out)['state_dict'], {f'backbone.{k}': v for k, v in student.items()})
    extract(ckpt, out, source_prefix='teacher.module.backbone.')
    teacher = load(out)['state_dict']
    assert set(teacher) == set(student)
    assert not torch.equal(teacher['conv1.weight'], student['conv1.weight'])


def test_extract_errors(tmp_path):
    missing = tmp_path / 'nope.pth'
    assert convert_error(extract, missing, tmp_path / 'o.pth') == \
        f'checkpoint not found: {missing}'

    official = tmp_path / 'official.pth'
    torch.save({'model': {'online_encoder.model.conv1.weight': torch.zeros(1),
                          'online_projector.0.weight': torch.zeros(1)}}, official)
    message = convert_error(extract, official, tmp_path / 'o.pth')
    assert f"no key of {official} starts with 'backbone.'" in message
    assert "'online_encoder.', 'online_projector.'" in message

    state = {'backbone.layer1.0.conv1.weight': torch.zeros(1)}
    with_args = tmp_path / 'with_args.pth'  # official-style: the argparse Namespace is allowed
    torch.save({'state_dict': state, 'args': argparse.Namespace(lr=1)}, with_args)
    extract(with_args, tmp_path / 'o.pth')
    assert list(load(tmp_path / 'o.pth')['state_dict']) == ['layer1.0.conv1.weight']

    unsafe = tmp_path / 'unsafe.pth'  # any other pickled object is refused
    torch.save({'state_dict': state, 'extra': fractions.Fraction(1, 3)}, unsafe)
    message = convert_error(extract, unsafe, tmp_path / 'u.pth')
    assert f'refused to load {unsafe}: it holds an object this loader does not rebuild ' \
        '(GLOBAL fractions.Fraction); nothing in it was executed' in message
    assert not (tmp_path / 'u.pth').exists()

    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'not a checkpoint')
    assert f'{corrupt} is not a PyTorch checkpoint' in convert_error(extract, corrupt,
                                                                    tmp_path / 'c.pth')


def official_checkpoint(path, backbone, extra=True):
    """An official CMID checkpoint: {'model': ...} with the student under online_encoder.model."""
    model = {f'online_encoder.model.{k}': v for k, v in backbone.items()}
    if extra:  # the other official modules, which the converter must leave out
        model.update({'online_encoder.mask_token': torch.zeros(1, 256, 1, 1),
                      'branch_encoder.conv1.weight': torch.zeros(64, 3, 7, 7),
                      'online_projector.mlp.0.weight': torch.zeros(4, 4),
                      'queue': torch.zeros(256, 16)})
    torch.save({'model': model, 'epoch': 200}, path)


def test_official_resnet_from_torchvision_keys(tmp_path):
    torch.manual_seed(0)
    tv = eval_mode(torchvision.models.resnet50())
    with torch.no_grad():
        for p in tv.parameters():
            p.mul_(1.5)  # differ from a fresh init
    official_checkpoint(tmp_path / 'official.pth', tv.state_dict())
    for layout, net in (('mmpretrain', ResNet(depth=50)), ('mmseg', SegResNet(depth=50))):
        out = tmp_path / f'{layout}.pth'
        official(tmp_path / 'official.pth', out, layout=layout)
        saved = load(out)
        assert saved['meta']['arch'] == 'resnet'
        result = net.load_state_dict(saved['state_dict'], strict=False)
        assert not result.missing_keys and not result.unexpected_keys
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        expected = torch.nn.Sequential(*list(tv.children())[:-2])(x)
        actual = eval_mode(net)(x)[-1]
    torch.testing.assert_close(actual, expected)


def test_official_swin_base_from_timm_keys(tmp_path):
    with torch.device('meta'):  # the key names and shapes, without initialising 88M weights
        names = timm.create_model('swin_base_patch4_window7_224', pretrained=False).state_dict()
    timm_sd = {k: torch.zeros(v.shape, dtype=v.dtype) for k, v in names.items()}
    timm_sd['layers.2.blocks.17.mlp.fc2.weight'].normal_()
    official_checkpoint(tmp_path / 'timm.pth', timm_sd)
    official(tmp_path / 'timm.pth', tmp_path / 'out.pth', layout='mmdet')
    saved = load(tmp_path / 'out.pth')
    assert saved['meta']['arch'] == 'swin' and saved['meta']['prefix'] == 'backbone.'
    converted = {k[len('backbone.'):]: v for k, v in saved['state_dict'].items()}
    result = SwinTransformer(arch='base').load_state_dict(converted, strict=False)
    assert not result.missing_keys and not result.unexpected_keys
    assert torch.equal(converted['stages.2.blocks.17.ffn.layers.1.weight'],
                       timm_sd['layers.2.blocks.17.mlp.fc2.weight'])


def test_official_swin_conversion_computes_the_same_features():
    """timm / Microsoft Swin vs the converted mmpretrain Swin (patch-merging order included)."""
    torch.manual_seed(0)
    arch = dict(embed_dims=32, depths=[2, 2, 2, 2], num_heads=[1, 2, 4, 8])  # a small Swin
    net = eval_mode(timm.models.swin_transformer.SwinTransformer(
        embed_dim=32, depths=arch['depths'], num_heads=arch['num_heads']))
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn_like(p) * 0.05)
    converted = official_swin_to_mmpretrain(net.state_dict())
    mm = SwinTransformer(arch=arch)
    mm.load_state_dict(converted, strict=True)

    # Microsoft Swin layout: downsample at the end of stage i, plus saved index / mask buffers
    microsoft = {}
    for key, value in net.state_dict().items():
        parts = key.split('.')
        if parts[0] == 'layers' and parts[2] == 'downsample':
            parts[1] = str(int(parts[1]) - 1)
        microsoft['.'.join(parts)] = value
    microsoft['layers.0.blocks.0.attn.relative_position_index'] = \
        converted['stages.0.blocks.0.attn.w_msa.relative_position_index']
    microsoft['layers.0.blocks.1.attn_mask'] = torch.zeros(64, 49, 49)
    assert_same_tensors(official_swin_to_mmpretrain(microsoft), converted)

    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        expected = net.forward_features(x).permute(0, 3, 1, 2)
        actual = eval_mode(mm)(x)[0]
    torch.testing.assert_close(actual, expected, atol=1e-4, rtol=1e-4)


def test_official_mmcls_style_swin_is_kept(tmp_path):
    """The official CMID code builds an mmcls-0.x Swin: its keys are mmpretrain's already."""
    state = SwinTransformer(arch='tiny').state_dict()
    official_checkpoint(tmp_path / 'official.pth', state)
    official(tmp_path / 'official.pth', tmp_path / 'out.pth')
    assert_same_tensors(load(tmp_path / 'out.pth')['state_dict'], state)


def test_official_unknown_backbone(tmp_path):
    official_checkpoint(tmp_path / 'vit.pth', VisionTransformer(arch='deit-tiny').state_dict(),
                        extra=False)
    message = convert_error(official, tmp_path / 'vit.pth', tmp_path / 'o.pth')
    assert 'neither a ResNet' in message and str(tmp_path / 'vit.pth') in message


@pytest.mark.parametrize('cmid_ckpt', ['resnet'], indirect=True)
def test_command_lines(cmid_ckpt, tmp_path):
    _, ckpt, student = cmid_ckpt
    out = tmp_path / 'b.pth'
    proc = run_tool('extract_backbone', ckpt, out, '--layout', 'mmseg', '--prefix', 'x.')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == (f"{out}: {len(student)} resnet backbone tensors, mmseg "
                                   "layout, prefix 'x.'")
    assert_same_tensors(load(out)['state_dict'], {f'x.{k}': v for k, v in student.items()})
    proc = run_tool('extract_backbone', ckpt, out, '--source-prefix', 'nope.')
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[0].startswith(
        f"error: no key of {ckpt} starts with 'nope.'")
    official_checkpoint(tmp_path / 'official.pth', ResNet(depth=18).state_dict())
    proc = run_tool('cmid_official_to_mm', tmp_path / 'official.pth', out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith('resnet backbone tensors, mmpretrain layout, prefix \'\'')
    proc = run_tool('cmid_official_to_mm', tmp_path / 'nope.pth', out)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f'error: checkpoint not found: {tmp_path / "nope.pth"}']
