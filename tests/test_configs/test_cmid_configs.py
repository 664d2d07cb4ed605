"""The paper configs: official settings, and tools/train.py (ResNet-50, Swin-B, ViT-B) for 2
iterations on tiny data."""
import glob
import shutil

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner
from mmpretrain.models.backbones import ResNet, SwinTransformer, VisionTransformer
from mmpretrain.registry import MODELS, TRANSFORMS

from .helpers import run_train_jobs

MMENGINE_DEFAULT_HOOKS = {'runtime_info', 'timer', 'sampler_seed', 'logger', 'param_scheduler',
                          'checkpoint'}
CONFIGS = {
    'resnet50': ('configs/cmid/cmid_resnet50_4xb64-adan-coslr-400e_millionaid.py',
                 lambda: ResNet(depth=50)),
    'swin-base': ('configs/cmid/cmid_swin-base_4xb64-adan-coslr-400e_millionaid.py',
                  lambda: SwinTransformer(arch='base')),
    'vit-base': ('configs/cmid/cmid_vit-base-p16_4xb64-adan-coslr-400e_millionaid.py',
                 lambda: VisionTransformer(arch='base')),
}


@pytest.fixture(scope='module')
def tiny_millionaid(tmp_path_factory):
    """4 images in MillionAID-like category sub-folders (larger than the 224 px crop)."""
    root = tmp_path_factory.mktemp('millionaid')
    rng = np.random.default_rng(0)
    for i, cat in enumerate(['farmland/dry_field', 'farmland/dry_field', 'water_area/lake', 'water_area/lake']):
        (root / cat).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / cat / f'img{i}.jpg'), rng.integers(0, 255, (240, 240, 3), np.uint8))
    return root


@pytest.fixture(scope='module')
def trained(tiny_millionaid, tmp_path_factory):
    """{name: outcome} of 2-iteration tools/train.py runs of the three paper configs (one
    subprocess), and their work dirs. The checkpoints skip the optimizer state (Adan's moments of
    two Swin-B / ViT-B copies: gigabytes to write and load back)."""
    work_dir = tmp_path_factory.mktemp('cmid_work')
    jobs = {name: [config, '--work-dir', str(work_dir / name), '--cfg-options',
                   f'train_dataloader.dataset.data_root={tiny_millionaid}',
                   'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
                   'train_dataloader.persistent_workers=False',
                   'train_dataloader.pin_memory=False', 'model.global_head.queue_len=16',
                   'train_cfg.max_epochs=1', 'default_hooks.checkpoint.interval=1',
                   'default_hooks.checkpoint.save_optimizer=False',
                   'default_hooks.logger.interval=1', f'experiment_name={name}',
                   f'visualizer.name={name}']
            for name, (config, _) in CONFIGS.items()}
    yield run_train_jobs(jobs, work_dir / 'results.json'), work_dir
    # ~1.8 GB of checkpoints (two model copies each); kept to the session's end they take disk
    # the later checkpoint-writing tests need.
    shutil.rmtree(work_dir, ignore_errors=True)


@pytest.mark.parametrize('name', CONFIGS)
def test_train_two_iterations_and_load_the_student_backbone(name, trained):
    results, work_dir = trained
    assert results[name] == 'ok', results[name][-3000:]
    (log, ) = glob.glob(str(work_dir / name / '*' / '*.log'))
    assert 'Epoch(train) [1][2/2]' in open(log).read()
    ckpt = torch.load(work_dir / name / 'epoch_1.pth', map_location='cpu')  # weights_only
    backbone = {k[len('backbone.'):]: v for k, v in ckpt['state_dict'].items()
                if k.startswith('backbone.')}
    result = CONFIGS[name][1]().load_state_dict(backbone, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    logged = set(ckpt['message_hub']['log_scalars'])
    assert {'train/loss_global', 'train/loss_local', 'train/loss_rec'} <= logged, logged


PAPER_CONFIGS = [c for c, _ in CONFIGS.values()] + [
    'configs/cmid/cmid_resnet50_4xb64-adan-coslr-200e_millionaid.py',
    'configs/cmid/cmid-global-only_resnet50_4xb64-adan-coslr-400e_millionaid.py',
    'configs/cmid/cmid-local-only_resnet50_4xb64-adan-coslr-400e_millionaid.py',
    'configs/cmid/cmid-rec-only_resnet50_4xb64-adan-coslr-400e_millionaid.py',
]


def _views_cfg(cfg):
    return next(t for t in cfg.train_dataloader.dataset.pipeline if t['type'] == 'CMIDTwoViews')


@pytest.mark.parametrize('config', PAPER_CONFIGS)
def test_paper_configs_use_the_official_settings(config):
    cfg = Config.fromfile(config)
    assert cfg.sync_bn == 'torch'  # SyncBN under DDP, as the official trainer
    assert cfg.model.backbone.get('drop_path_rate', 0.) == 0.  # official: no drop-path
    assert cfg.model.backbone.get('drop_rate', 0.) == 0.
    views = _views_cfg(cfg)
    blur = [t for t in views.view_pipelines[1] if t['type'] == 'GaussianBlur']
    assert len(blur) == 1 and blur[0]['prob'] == 1.0  # view 2 always blurred
    assert not views.view_pipelines[0]
    assert not views.get('allow_upsample', False)
    np.random.seed(0)
    out = TRANSFORMS.build(views)(dict(img=np.zeros((256, 256, 3), np.uint8)))
    assert out['mask'].reshape(2, -1).sum(1).tolist() == [30, 30]  # ceil(0.6 * 49)
    paramwise = cfg.optim_wrapper.paramwise_cfg
    assert paramwise.norm_decay_mult == paramwise.bias_decay_mult == 0.


@pytest.mark.parametrize('config', sorted(glob.glob('configs/cmid/cmid*.py')))
def test_the_teacher_temperature_warms_up_exactly_where_there_is_a_local_head(config):
    cfg = Config.fromfile(config)
    # mmengine's Runner accepts None in default_hooks only for its own hook names
    assert all(h is not None or name in MMENGINE_DEFAULT_HOOKS
               for name, h in cfg.default_hooks.items())
    hook = cfg.default_hooks.get('teacher_temp')
    assert hook.type == 'TeacherTempWarmupHook'
    if cfg.model.get('local_head') is None:
        assert hook.module_name is None
        return
    assert hook.get('module_name', 'local_head') == 'local_head'
    if '64px' in config:  # the CPU recipe: a fixed, sharp temperature (configs/cmid/cpu_recipe.md)
        assert hook.warmup_teacher_temp == cfg.model.local_head.teacher_temp == 0.02
        return
    assert hook.warmup_teacher_temp == 0.04
    assert cfg.model.local_head.teacher_temp == 0.07
    if cfg.train_cfg.type == 'IterBasedTrainLoop':
        assert hook.get('warmup_iters')
    else:
        assert hook.warmup_epochs == 50 and hook.get('warmup_iters') is None  # official


def test_paper_configs_refuse_images_smaller_than_the_crop():
    views = TRANSFORMS.build(_views_cfg(Config.fromfile(PAPER_CONFIGS[0])))
    with pytest.raises(ValueError, match=r'a/b.jpg is 96x96 px, smaller than img_size=224'):
        views(dict(img=np.zeros((96, 96, 3), np.uint8), img_path='a/b.jpg'))


def _tiny_model(backbone, channels, stride):
    cfg = Config.fromfile('configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py').model
    cfg.global_head.queue_len = 16
    cfg.backbone = backbone
    cfg.global_neck.in_channels = cfg.local_neck.in_channels = cfg.decoder.in_channels = channels
    cfg.decoder.encoder_stride = stride
    return MODELS.build(cfg)


@pytest.mark.parametrize('backbone,channels,stride', [
    (dict(type='CMIDResNet', depth=18, out_indices=(3, )), 512, 32),
    (dict(type='CMIDSwinTransformer', img_size=64, window_size=2, out_indices=(3, ),
          arch=dict(embed_dims=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])), 128, 32),
    (dict(type='CMIDVisionTransformer', img_size=64, patch_size=16,
          arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)), 32, 16),
])
def test_weight_decay_spares_biases_norms_and_1d_params_as_the_official_builder(
        backbone, channels, stride):
    """timm's ``filter_bias_and_bn=True``: no decay for 1-D parameters and names ending in
    ``.bias``; everything else (the mask token, position embeddings, relative position tables
    included) is decayed. The teacher is not trained."""
    cfg = Config.fromfile(PAPER_CONFIGS[0])
    model = _tiny_model(backbone, channels, stride)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {id(p): g['weight_decay'] for g in optim.optimizer.param_groups for p in g['params']}
    names = {n: p for n, p in model.named_parameters() if p.requires_grad}
    assert set(decay) == {id(p) for p in names.values()}
    expected = {n: 0. if p.ndim <= 1 or n.endswith('.bias') else 0.02 for n, p in names.items()}
    assert {n: decay[id(p)] for n, p in names.items()} == expected
    assert expected['mask_token'] == 0.02
    assert any(v == 0. for v in expected.values()) and any(v for v in expected.values())


def test_sync_bn_is_a_no_op_in_a_single_process(tmp_path):
    cfg = Config.fromfile('configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py')
    assert cfg.sync_bn == 'torch'  # inherited from the paper config
    cfg.model.global_head.queue_len = 16
    cfg.work_dir = str(tmp_path)
    cfg.experiment_name = 'sync_bn_single_process'  # see tiny_runner_config
    runner = Runner.from_cfg(cfg)
    bns = [m for m in runner.model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    assert bns and not any(isinstance(m, torch.nn.SyncBatchNorm) for m in bns)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in runner.model.teacher.modules())
