"""Every change-detection config builds and trains 2 iterations + validates through tools/train.py,
loads a CMID checkpoint's student backbone, and tools/test.py writes change maps."""
import glob
import json
import os
import os.path as osp
import pickle
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.models import SwinTransformer
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
from mmseg.registry import MODELS

from ..fakes.change_pairs import make_split_dataset
from .helpers import run_train_jobs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs/change_detection/*.py')))
NAMES = [osp.basename(p)[:-3] for p in CONFIGS]
# The config whose checkpoint the tools/test.py test uses (the others skip saving, for time).
TESTED_CKPT = 'bit_resnet18-in1k_1xb8-sgd-linear-200e_cdd-256x256'

# One thread: these tiny models gain nothing from more, and spinning threads crawl on a shared
# machine.
ENV = dict(os.environ, OMP_NUM_THREADS='1')

pytestmark = pytest.mark.usefixtures('mmseg_scope_one_thread')


def test_configs_exist():
    # 4 CMID configs (R50 / Swin-B x CDD / LEVIR-CD), their ImageNet and random siblings, the BIT
    # ResNet-18 references, the FCN variant and the demo with its random-init sibling
    assert len(CONFIGS) == 17


def train_args(path, data, work_dir):
    cfg = Config.fromfile(path)
    name = osp.basename(path)[:-3]
    # one process runs every config: give each its own logger / visualizer instance
    opts = ['model.backbone.init_cfg=None', 'default_hooks.logger.interval=1',
            f'experiment_name={name}', f'visualizer.name={name}',
            'model.data_preprocessor.size=(64,64)']
    if cfg.train_cfg.type == 'IterBasedTrainLoop':
        opts += ['train_cfg.max_iters=2', 'train_cfg.val_interval=2']
    else:
        opts += ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.batch_size=1', f'{loader}.num_workers=0']
    layout = 'CDDBitemporalDataset' if cfg.val_dataloader.dataset.type.startswith('CDD') \
        else 'LEVIRCDBitemporalDataset'
    train_set, train_cfg = 'train_dataloader.dataset', cfg.train_dataloader.dataset
    if train_cfg.type == 'RepeatDataset':
        opts.append(f'{train_set}.times=1')
        train_set, train_cfg = train_set + '.dataset', train_cfg.dataset
    for i, step in enumerate(train_cfg.pipeline):  # 64 px crops instead of 256
        if step.type == 'RandomResize':
            opts.append(f'{train_set}.pipeline.{i}.scale=(64,64)')
        if step.type == 'RandomCrop':
            opts.append(f'{train_set}.pipeline.{i}.crop_size=(64,64)')
    for key in (train_set, 'val_dataloader.dataset', 'test_dataloader.dataset'):
        opts.append(f'{key}.data_root={data[layout]}')
    if 'swin' in name:  # Swin-B's depths with narrow stages, to keep the test short
        opts += ['model.backbone.arch.embed_dims=32', 'model.backbone.arch.num_heads=[1,2,4]',
                 'model.decode_head.in_channels=256']
    if name != TESTED_CKPT:
        opts.append('default_hooks.checkpoint=None')
    return [path, '--work-dir', str(work_dir / name), '--cfg-options', *opts]


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('cd_data')
    return {t: make_split_dataset(str(root / t), t)
            for t in ('LEVIRCDBitemporalDataset', 'CDDBitemporalDataset')}


@pytest.fixture(scope='module')
def trained(data, tmp_path_factory):
    """{config name: outcome} of 2-iteration tools/train.py runs of every config, and work dir."""
    work_dir = tmp_path_factory.mktemp('cd_work')
    jobs = {osp.basename(p)[:-3]: train_args(p, data, work_dir) for p in CONFIGS}
    return run_train_jobs(jobs, work_dir / 'results.json', env=ENV), work_dir


@pytest.mark.parametrize('name', NAMES)
def test_config_trains_two_iterations_and_validates(trained, name):
    results, work_dir = trained
    assert results[name] == 'ok', results[name][-3000:]
    (log, ) = glob.glob(str(work_dir / name / '*' / 'vis_data' / 'scalars.json'))
    rows = [json.loads(line) for line in open(log)]
    assert [r['iter'] for r in rows if 'loss' in r] == [1, 2]
    assert all(np.isfinite(r['loss']) for r in rows if 'loss' in r)
    (val, ) = [r for r in rows if 'F1' in r]
    assert {'precision', 'recall', 'IoU', 'OA'} <= set(val)


def test_test_tool_writes_change_maps(trained, data, tmp_path):
    _, work_dir = trained
    ckpt = work_dir / TESTED_CKPT / 'epoch_1.pth'
    maps, preds = tmp_path / 'maps', tmp_path / 'preds.pkl'
    root = data['CDDBitemporalDataset']
    proc = subprocess.run([
        sys.executable, 'tools/test.py',
        osp.join('configs/change_detection', TESTED_CKPT + '.py'), str(ckpt), '--work-dir',
        str(tmp_path), '--out', str(preds), '--cfg-options', 'model.backbone.init_cfg=None',
        f'test_dataloader.dataset.data_root={root}', 'test_dataloader.num_workers=0',
        f'default_hooks.visualization.out_dir={maps}'
    ], cwd=REPO, env=ENV, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'F1:' in proc.stdout + proc.stderr
    with open(preds, 'rb') as f:
        (pred, ) = pickle.load(f)
    change_map = cv2.imread(str(maps / '00.png'), cv2.IMREAD_UNCHANGED)
    assert change_map.shape == (64, 64) and set(np.unique(change_map)) <= {0, 255}
    np.testing.assert_array_equal(change_map, pred['pred_sem_seg']['data'][0].numpy() * 255)


CMID_PRETRAIN = {  # change-detection config -> the CMID pretraining config of its backbone
    'bit_cmid-resnet18_1xb8-adamw-120i_neon-synthetic-cd-demo':
    'cmid_resnet18_1xb16-adan-200i_neon-demo',
    'bit_cmid-resnet50_1xb8-sgd-linear-200e_cdd-256x256':
    'cmid_resnet50_4xb64-adan-coslr-400e_millionaid',
    'bit_cmid-swin-base_1xb8-adamw-linear-200e_levir-cd-256x256':
    'cmid_swin-base_4xb64-adan-coslr-400e_millionaid',
}


@pytest.mark.parametrize('cd_name', sorted(CMID_PRETRAIN))
def test_cmid_checkpoint_initialises_the_shared_backbone(cd_name, tmp_path):
    # A CMID training checkpoint as tools/train.py writes it: the student under backbone.*,
    # next to a differently-valued teacher and the pretraining-only modules.
    pretrain_cfg = Config.fromfile(
        osp.join(REPO, 'configs/cmid', CMID_PRETRAIN[cd_name] + '.py'))
    cfg = Config.fromfile(osp.join(REPO, 'configs/change_detection', cd_name + '.py'))
    if 'swin' in cd_name:
        # the CD backbone is Swin-B's first three stages; narrow both sides (same key names)
        base = SwinTransformer.arch_zoo['base']
        assert cfg.model.backbone.arch == dict(embed_dims=base['embed_dims'],
                                               depths=base['depths'][:3],
                                               num_heads=base['num_heads'][:3])
        pretrain_cfg.model.backbone.arch = dict(embed_dims=32, depths=base['depths'],
                                                num_heads=[1, 2, 4, 8])
        cfg.model.backbone.arch = dict(embed_dims=32, depths=base['depths'][:3],
                                       num_heads=[1, 2, 4])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        student = MMPRETRAIN_MODELS.build(pretrain_cfg.model.backbone)
    student.init_weights()
    state = {f'backbone.{k}': v for k, v in student.state_dict().items()}
    state.update({f'teacher.module.backbone.{k}': torch.full_like(v, 7.)
                  for k, v in list(student.state_dict().items())[:4]})
    state['mask_token'] = torch.zeros(1, 64)
    ckpt = tmp_path / 'cmid.pth'
    torch.save(dict(state_dict=state, meta=dict(iter=1)), ckpt)

    init_cfg = cfg.model.backbone.init_cfg
    assert init_cfg.type == 'Pretrained' and init_cfg.prefix == 'backbone.'
    init_cfg.checkpoint = str(ckpt)
    backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()
    loaded = backbone.state_dict()
    # the CD backbone stops after stage 3; its stage-3 output norm (Swin) is new
    new = [k for k in loaded if k.startswith('norm2.')]
    for key, value in loaded.items():
        if key not in new:
            torch.testing.assert_close(value, state['backbone.' + key], msg=key)
    assert len(loaded) - len(new) > 50


@pytest.mark.parametrize('name', [n for n in NAMES if 'demo' not in n])
@pytest.mark.parametrize('loader', ['train_dataloader', 'test_dataloader'])
def test_wrong_size_label_is_one_error_naming_the_files(name, loader, tmp_path):
    """Issue 13.6: LoadChangeLabel compares the label with the image pair that
    LoadImagePairFromFile already checked against each other, so a wrong-size label is one error
    naming the label and the image, not a failure in the collate."""
    from mmseg.registry import DATASETS
    cfg = Config.fromfile(osp.join(REPO, 'configs/change_detection', name + '.py'))
    dataset_cfg = cfg[loader].dataset
    if dataset_cfg.type == 'RepeatDataset':
        dataset_cfg = dataset_cfg.dataset
    split = 'train' if loader == 'train_dataloader' else 'test'
    root = make_split_dataset(str(tmp_path), dataset_cfg.type, splits=((split, 1), ))
    label_dir, suffix = ('OUT', '.jpg') if dataset_cfg.type.startswith('CDD') else ('label', '.png')
    label = osp.join(root, split, label_dir, '00' + suffix)
    cv2.imwrite(label, np.zeros((48, 64), np.uint8))
    dataset_cfg.data_root = root
    with DefaultScope.overwrite_default_scope('mmseg'):
        dataset = DATASETS.build(dataset_cfg)
    with pytest.raises(ValueError) as err:
        dataset[0]
    assert label in str(err.value) and osp.join(root, split, 'A', '00' + suffix) in str(err.value)
    assert '48x64' in str(err.value) and '64x64' in str(err.value)


@pytest.mark.parametrize('name', [n for n in NAMES if 'resnet50' in n or 'swin-base' in n])
def test_cmid_backbones_use_the_official_cmid_optimiser(name):
    """ChangeDetection/train.py of the official code: ResNet-50 SGD lr 0.002 (momentum 0.99,
    weight decay 5e-4), Swin-B AdamW lr 6e-5 (weight decay 0.01), batch 8, 200 epochs."""
    cfg = Config.fromfile(osp.join(REPO, 'configs/change_detection', name + '.py'))
    opt = cfg.optim_wrapper.optimizer
    if 'resnet50' in name:
        assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == ('SGD', 0.002, 0.99, 5e-4)
    else:
        assert (opt.type, opt.lr, opt.weight_decay) == ('AdamW', 6e-5, 0.01)
    assert cfg.train_dataloader.batch_size == 8 and cfg.train_cfg.max_epochs == 200
