"""tools/analysis_tools/knn_eval.py end to end: tiny labelled folder, tiny checkpoints, subprocess."""
import json
import subprocess

import cv2
import numpy as np
import pytest
import torch
from cmid_mm.models import CMIDResNet

MODEL_CONFIG = """
model = dict(
    type='CMID',
    data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[100., 100., 100.],
                           std=[50., 50., 50.], to_rgb=True),
    backbone=dict(type='CMIDResNet', depth=18, stem_channels=8, base_channels=8))
"""
DATA_CONFIG = """
default_scope = 'mmpretrain'
pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
train_dataloader = dict(batch_size=4, num_workers=0, dataset=dict(
    type='CustomDataset', data_root={root!r}, ann_file='train.txt', classes=('red', 'blue'),
    pipeline=pipeline))
val_dataloader = dict(batch_size=4, num_workers=0, dataset=dict(
    type='CustomDataset', data_root={root!r}, ann_file='val.txt', classes=('red', 'blue'),
    pipeline=pipeline))
"""


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """Red vs blue 32 px noise images (6 per class and split) and three checkpoint layouts."""
    root = tmp_path_factory.mktemp('knn')
    rng = np.random.default_rng(0)
    for split in ('train', 'val'):
        lines = []
        for label, (cls, colour) in enumerate({'red': (0, 0, 200), 'blue': (200, 0, 0)}.items()):
            (root / 'data' / cls).mkdir(parents=True, exist_ok=True)
            for i in range(6):
                img = (rng.integers(0, 55, (32, 32, 3)) + colour).astype(np.uint8)
                cv2.imwrite(str(root / 'data' / cls / f'{split}{i}.png'), img)
                lines.append(f'{cls}/{split}{i}.png {label}')
        (root / 'data' / f'{split}.txt').write_text('\n'.join(lines) + '\n')
    (root / 'data_cfg.py').write_text(DATA_CONFIG.format(root=str(root / 'data')))
    (root / 'model_cfg.py').write_text(MODEL_CONFIG)

    torch.manual_seed(0)
    backbone = CMIDResNet(depth=18, stem_channels=8, base_channels=8)
    backbone.init_weights()
    plain = backbone.state_dict()
    # CMID training checkpoint: student backbone.*, teacher, extras, and the embedded config.
    cmid = {f'backbone.{k}': v for k, v in plain.items()}
    cmid.update({f'teacher.module.backbone.{k}': torch.zeros_like(v) for k, v in plain.items()})
    cmid['mask_token'] = torch.zeros(1, 8)
    torch.save({'meta': {'cfg': MODEL_CONFIG}, 'state_dict': cmid}, root / 'cmid.pth')
    torch.save({'state_dict': plain}, root / 'backbone.pth')  # extracted backbone, no config
    other = CMIDResNet(depth=18, stem_channels=8, base_channels=16).state_dict()
    torch.save({'state_dict': other}, root / 'wrong.pth')
    return root


def run(python, repo_root, *args):
    return subprocess.run([python, 'tools/analysis_tools/knn_eval.py', *map(str, args)],
                          cwd=repo_root, capture_output=True, text=True, timeout=300)


def test_cmid_checkpoint_and_extracted_backbone_agree(files, python, repo_root):
    out_cmid, out_plain = files / 'cmid.json', files / 'plain.json'
    proc = run(python, repo_root, files / 'data_cfg.py', files / 'cmid.pth', '--k', '5',
               '--out', out_cmid)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'weighted kNN (k=5, T=0.07) top-1: 100.00 %' in proc.stdout
    assert 'linear probe (logistic regression, wd=0.001) top-1: 100.00 %' in proc.stdout
    assert '12/12' in proc.stdout  # the progress bar went through every sample
    proc = run(python, repo_root, files / 'data_cfg.py', files / 'backbone.pth', '--k', '5',
               '--model-config', files / 'model_cfg.py', '--out', out_plain)
    assert proc.returncode == 0, proc.stderr[-3000:]
    cmid, plain = json.loads(out_cmid.read_text()), json.loads(out_plain.read_text())
    assert cmid['num_bank'] == cmid['num_query'] == 12 and cmid['feat_dim'] == 64
    for key in ('knn_top1', 'probe_top1', 'majority'):
        assert cmid[key] == plain[key]  # same student weights, whichever layout
    assert cmid['majority'] == 50.0


def test_architecture_is_read_from_the_weights(files, python, repo_root):
    """An extracted backbone needs no config: depth and widths come from the tensors."""
    proc = run(python, repo_root, files / 'data_cfg.py', files / 'backbone.pth', '--k', '5')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'note: architecture from the weights' in proc.stdout
    assert 'backbone: ResNet (' in proc.stdout
    assert 'weighted kNN (k=5, T=0.07) top-1: 100.00 %' in proc.stdout


def test_k_larger_than_the_bank_is_an_error(files, python, repo_root):
    proc = run(python, repo_root, files / 'data_cfg.py', files / 'backbone.pth', '--k', '13')
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: --k 13 is larger than the memory bank (12 train samples of '
        f'{files / "data_cfg.py"}); give --k <= 12')


def test_checkpoint_of_another_architecture_is_an_error(files, python, repo_root):
    proc = run(python, repo_root, files / 'data_cfg.py', files / 'wrong.pth',
               '--model-config', files / 'model_cfg.py')
    assert proc.returncode == 2
    assert f'error: checkpoint {files / "wrong.pth"} does not fit the CMIDResNet backbone' \
        in proc.stderr
