"""Weights that do not fit stop the run with one line, instead of training from random init."""
import pytest
import torch
from cmid_mm.checkpoint import CheckpointError
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

from .conftest import assert_one_line_error, run_tool


def save(path, state_dict, prefix=''):
    torch.save({'state_dict': {prefix + k: v for k, v in state_dict.items()}}, path)
    return path


def build(cfg, checkpoint=None, **init):
    if checkpoint is not None:
        cfg = dict(cfg, init_cfg=dict(type='Pretrained', checkpoint=str(checkpoint), **init))
    return MODELS.build(cfg)


R18 = dict(type='ResNet', depth=18)
SWIN = dict(type='SwinTransformer', arch='tiny', img_size=64)


@pytest.fixture(scope='module')
def ckpts(tmp_path_factory):
    root = tmp_path_factory.mktemp('fit')
    init_default_scope('mmpretrain')  # module fixtures run before the autouse scope fixture
    torch.manual_seed(0)
    r18 = MODELS.build(R18).state_dict()
    return dict(r18=save(root / 'r18.pth', r18, 'backbone.'),
                r18_plain=save(root / 'r18_plain.pth', r18),
                swin=save(root / 'swin.pth', MODELS.build(SWIN).state_dict(), 'backbone.'),
                r18_state=r18, root=root)


def test_fitting_checkpoint_loads(ckpts):
    model = build(R18, ckpts['r18'], prefix='backbone.')
    model.init_weights()
    for k, v in model.state_dict().items():
        assert torch.equal(v, ckpts['r18_state'][k]), k


@pytest.mark.parametrize('source, cfg, init, words', [
    ('swin', R18, dict(prefix='backbone.'),
     ['0 of 120 weights matched', "prefix 'backbone.'", 'It holds a Swin Transformer, the '
      'ResNet is a ResNet']),
    ('r18_plain', R18, dict(prefix='backbone.'),
     ["0 of 120 weights matched with prefix 'backbone.'", 'set init_cfg.prefix=None']),
    ('r18', R18, dict(), ['with no prefix', "set init_cfg.prefix='backbone.'"]),
    ('r18', dict(type='ResNet', depth=50), dict(prefix='backbone.'),
     ['of another shape', 'layer1.0.conv1.weight: checkpoint [64, 64, 3, 3] vs model '
      '[64, 64, 1, 1]']),
])
def test_pretrained_that_does_not_fit_is_an_error(ckpts, source, cfg, init, words):
    model = build(cfg, ckpts[source], **init)
    with pytest.raises(CheckpointError) as e:
        model.init_weights()
    message = str(e.value)
    assert len(message.splitlines()) == 1 and str(ckpts[source]) in message
    for word in words:
        assert word in message, message
    assert 'init_cfg.strict=False' in message


def test_opt_out_keeps_mmengine_behaviour(ckpts):
    model = build(R18, ckpts['swin'], prefix='backbone.', strict=False)
    model.init_weights()  # warns, as mmengine does


def test_allow_missing_patterns(ckpts):
    state = {k: v for k, v in ckpts['r18_state'].items() if not k.startswith('layer4.')}
    path = save(ckpts['root'] / 'no_layer4.pth', state, 'backbone.')
    with pytest.raises(CheckpointError, match='missing'):
        build(R18, path, prefix='backbone.').init_weights()
    build(R18, path, prefix='backbone.', allow_missing=['layer4.*']).init_weights()


def test_swin_output_norms_are_the_documented_allowance(tmp_path):
    """A CMID Swin is pretrained with out_indices=(3, ); a dense-task Swin adds norm0-2."""
    path = save(tmp_path / 'swin3.pth', MODELS.build(dict(SWIN, out_indices=(3, ))).state_dict(),
                'backbone.')
    build(dict(SWIN, out_indices=(0, 1, 2, 3)), path, prefix='backbone.').init_weights()
    # Anything else missing in the Swin is still an error.
    state = torch.load(path)['state_dict']
    state.pop('backbone.stages.0.blocks.0.norm1.weight')
    save(path, state)
    with pytest.raises(CheckpointError, match='1 missing'):
        build(dict(SWIN, out_indices=(0, 1, 2, 3)), path, prefix='backbone.').init_weights()


def test_band_adapted_stem_is_allowed(ckpts):
    """AdaptInputBands fits a 3-band stem to 6 bands while loading: not a misfit."""
    from mmpretrain.models import ImageClassifier
    model = ImageClassifier(
        backbone=dict(R18, in_channels=6, init_cfg=dict(
            type='Pretrained', checkpoint=str(ckpts['r18']), prefix='backbone.')),
        init_cfg=dict(type='AdaptInputBands', rgb_bands=(2, 1, 0)))
    model.init_weights()
    stem = model.backbone.conv1.weight
    assert torch.equal(stem[:, 2], ckpts['r18_state']['conv1.weight'][:, 0])


def test_train_load_from_of_another_architecture_stops(tiny_cls, ckpts, tmp_path):
    config, _ = tiny_cls
    proc = run_tool('train.py', config, '--work-dir', tmp_path, '--cfg-options',
                    f'load_from={ckpts["swin"]}')
    assert_one_line_error(proc, f'checkpoint {ckpts["swin"]} does not fit the model\'s backbone',
                          '0 of 120 weights matched', 'load_strict=False')
    assert not list(tmp_path.glob('*.pth'))  # nothing trained from random weights
    # The explicit opt-out trains (with mmengine's warnings).
    proc = run_tool('train.py', config, '--work-dir', tmp_path, '--cfg-options',
                    f'load_from={ckpts["swin"]}', 'load_strict=False')
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_test_tool_needs_every_weight_of_the_model(tiny_cls, ckpts, tmp_path):
    """A backbone-only checkpoint (e.g. a pretraining one) leaves the head random: refused."""
    config, work_dir = tiny_cls
    proc = run_tool('test.py', config, ckpts['r18'], '--work-dir', tmp_path)
    assert_one_line_error(proc, 'does not fit the model', '120 of 122 weights matched',
                          '2 missing (e.g. head.fc.weight)')
    proc = run_tool('test.py', config, work_dir / 'iter_2.pth', '--work-dir', tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
