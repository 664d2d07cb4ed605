"""tools/train.py fine-tunes the CMID ResNet-50 UCM config: 2 iterations + 1 validation, CPU."""
import json
import os.path as osp
import subprocess

import torch
from mmpretrain.models.backbones import ResNet

from cmid_mm.datasets import make_scene_splits

from ..fakes.scenes import NAMES, make_scene_tree

CONFIG = 'configs/classification/cmid_resnet50_1xb64-adan-coslr-200e_ucmerced-8-2.py'


def test_finetune_two_iterations_and_validate(tmp_path, repo_root, python):
    root = make_scene_tree(tmp_path / 'UCMerced_LandUse', NAMES['ucmerced'], 2)
    summary = make_scene_splits('ucmerced', root)
    assert (summary['8-2']['train'], summary['8-2']['test']) == (21, 21)
    # a stand-in CMID training checkpoint: the student under backbone.*, the rest beside it
    torch.manual_seed(0)
    student = ResNet(depth=50).state_dict()
    ckpt = tmp_path / 'cmid_epoch_1.pth'
    torch.save({'state_dict': {**{f'backbone.{k}': v for k, v in student.items()},
                               'global_neck.mlp.0.weight': torch.zeros(4, 4)}}, ckpt)

    work_dir = tmp_path / 'work'
    loaders = ('train_dataloader', 'val_dataloader')
    options = [f'{loader}.{key}' for loader in loaders for key in (
        f'dataset.data_root={root}', 'num_workers=0')]
    options += [
        'train_dataloader.batch_size=11',  # 21 training images -> 2 iterations
        'val_dataloader.batch_size=21',  # 21 test images -> 1 validation iteration
        'train_dataloader.dataset.pipeline.1.scale=64',
        'val_dataloader.dataset.pipeline.1.scale=(64,64)',
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
        'default_hooks.logger.interval=1', f'model.backbone.init_cfg.checkpoint={ckpt}'
    ]
    proc = subprocess.run([python, 'tools/train.py', CONFIG, '--work-dir', str(work_dir),
                           '--cfg-options', *options],
                          cwd=repo_root, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert f'load backbone. in model from: {ckpt}' in log  # mmengine's PretrainedInit
    assert 'missing keys' not in log and 'unexpected key' not in log
    assert 'Epoch(train) [1][2/2]' in log

    scalars = [json.loads(line) for line in open(next(work_dir.glob('*/vis_data/scalars.json')))]
    train_steps = [s for s in scalars if 'loss' in s]
    assert [s['iter'] for s in train_steps] == [1, 2]
    assert all(torch.isfinite(torch.tensor(s['loss'])) for s in train_steps)
    accuracy = [s['accuracy/top1'] for s in scalars if 'accuracy/top1' in s]
    assert len(accuracy) == 1 and 0 <= accuracy[0] <= 100
    assert osp.isfile(work_dir / 'epoch_1.pth')
