"""tools/train.py on the paper configs (ResNet-50, Swin-B, ViT-B) for 2 iterations on tiny data."""
import os.path as osp
import subprocess

import cv2
import numpy as np
import pytest
import torch
from mmpretrain.models.backbones import ResNet, SwinTransformer, VisionTransformer

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
    """4 images in MillionAID-like category sub-folders."""
    root = tmp_path_factory.mktemp('millionaid')
    rng = np.random.default_rng(0)
    for i, cat in enumerate(['farmland/dry_field', 'farmland/dry_field', 'water_area/lake', 'water_area/lake']):
        (root / cat).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / cat / f'img{i}.jpg'), rng.integers(0, 255, (96, 96, 3), np.uint8))
    return root


@pytest.mark.parametrize('name', CONFIGS)
def test_train_two_iterations_and_load_the_student_backbone(name, tiny_millionaid, tmp_path,
                                                            repo_root, python):
    config, plain = CONFIGS[name]
    work_dir = tmp_path / 'work'
    cmd = [python, 'tools/train.py', config, '--work-dir', str(work_dir), '--cfg-options',
           f'train_dataloader.dataset.data_root={tiny_millionaid}',
           'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
           'train_dataloader.persistent_workers=False', 'train_dataloader.pin_memory=False',
           'model.global_head.queue_len=16', 'train_cfg.max_epochs=1',
           'default_hooks.checkpoint.interval=1', 'default_hooks.logger.interval=1']
    proc = subprocess.run(cmd, cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'Epoch(train) [1][2/2]' in proc.stdout + proc.stderr
    ckpt = torch.load(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')  # weights_only
    backbone = {k[len('backbone.'):]: v for k, v in ckpt['state_dict'].items()
                if k.startswith('backbone.')}
    result = plain().load_state_dict(backbone, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    logged = set(ckpt['message_hub']['log_scalars'])
    assert {'train/loss_global', 'train/loss_local', 'train/loss_rec'} <= logged, logged
