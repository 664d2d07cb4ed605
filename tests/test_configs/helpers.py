"""What the segmentation and detection config tests share: building a config's model in its own
scope, checking that a CMID checkpoint loads into it, ISPRS-style tiles, and running a train
script on a config."""
import glob
import json
import os.path as osp
import subprocess

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from ..conftest import REPO_ROOT as REPO


def build_model(config, registry, **backbone):
    """Build a config's model in the config's default scope, with backbone fields overridden."""
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.model.backbone.update(backbone)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return registry.build(cfg.model)


def backbone_of(checkpoint):
    """The ``backbone.`` entries of a checkpoint's state dict, prefix removed."""
    state = torch.load(checkpoint, map_location='cpu')['state_dict']
    return {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}


def assert_loads_with_no_missing_key(model, expected):
    """``expected`` is exactly the backbone's keys and the config's init_cfg loads every value."""
    assert set(model.backbone.state_dict()) == set(expected)
    result = model.backbone.load_state_dict(expected, strict=False)
    assert not result.missing_keys and not result.unexpected_keys
    model.init_weights()  # through the config's init_cfg, as training does
    loaded = model.backbone.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in expected.items())


def write_isprs_tiles(root, counts):
    """Random 64 px tiles in mmseg's converted ISPRS layout: img_dir/<split>, ann_dir/<split>
    (labels 0-6, 0 = ignored by reduce_zero_label); ``counts`` maps split to tile count."""
    rng = np.random.default_rng(0)
    for split, n in counts.items():
        for sub in ('img_dir', 'ann_dir'):
            (root / sub / split).mkdir(parents=True)
        for i in range(n):
            cv2.imwrite(str(root / 'img_dir' / split / f'{i}.png'),
                        rng.integers(0, 255, (64, 64, 3), np.uint8))
            cv2.imwrite(str(root / 'ann_dir' / split / f'{i}.png'),
                        rng.integers(0, 7, (64, 64), np.uint8))
    return root


def train_and_read_scalars(command, checkpoint, work_dir):
    """Run a train script (``command``, from the repository root) that loads ``checkpoint`` into
    the backbone; return its log and the records of its scalars.json."""
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-5000:]
    assert f'load backbone. in model from: {checkpoint}' in log
    scalars = glob.glob(str(work_dir / '*' / 'vis_data' / 'scalars.json'))
    return log, [json.loads(line) for line in open(scalars[0])]


def local_data_options(root, loaders=('train_dataloader', 'val_dataloader')):
    """--cfg-options that point ``loaders`` at the data under ``root``, loaded in the main
    process."""
    return [option for loader in loaders for option in (
        f'{loader}.dataset.data_root={root}', f'{loader}.num_workers=0',
        f'{loader}.persistent_workers=False')]


def load_downstream_config(config, scope):
    """``config`` after checking what every downstream config needs: its library's default scope,
    cmid_mm in custom_imports, an mmpretrain backbone (the CMID checkpoints' keys) and no SyncBN
    (one CPU process must run it)."""
    cfg = Config.fromfile(osp.join(REPO, config))
    assert cfg.default_scope == scope
    assert 'cmid_mm' in cfg.custom_imports.imports
    assert cfg.model.backbone.type.startswith('mmpretrain.')
    assert 'SyncBN' not in cfg.pretty_text
    return cfg
