"""What the config tests share: building a config's model in its own scope, checking that a CMID
checkpoint loads into it, ISPRS-style tiles, and running a train script on one config or
several."""
import copy
import glob
import json
import os.path as osp
import subprocess
import sys

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


_BUILT = {}


def build_model_once(cfg, registry, **backbone):
    """The model of the loaded config ``cfg`` (left as it is), backbone fields overridden, for
    tests that only read the model: one instance per distinct model config, so configs that
    differ only outside ``model`` (Potsdam / Vaihingen siblings, zoo baselines built with
    init_cfg=None) share one build."""
    model = copy.deepcopy(cfg.model)
    model.backbone.update(backbone)
    key = (registry.name, cfg.default_scope,
           json.dumps(model.to_dict(), sort_keys=True, default=repr))
    if key not in _BUILT:
        with DefaultScope.overwrite_default_scope(cfg.default_scope):
            _BUILT[key] = registry.build(model)
    return _BUILT[key]


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
    assert 'SyncBN' not in str(cfg.to_dict())  # anywhere in it (pretty_text: ~1 s more)
    return cfg


# Runs tools/train.py (its own main, via runpy) once per job inside ONE subprocess: the ~6 s of
# importing torch / mm* is paid once instead of once per config.
TRAIN_JOBS_DRIVER = """
import json, runpy, sys, traceback
jobs, out = json.loads(sys.argv[1]), sys.argv[2]
results = {}
for name, args in jobs.items():
    sys.argv = ['tools/train.py', *args]
    try:
        runpy.run_path('tools/train.py', run_name='__main__')
        results[name] = 'ok'
    except SystemExit as e:
        results[name] = f'SystemExit {e.code}'
    except BaseException:
        results[name] = traceback.format_exc()
with open(out, 'w') as f:
    json.dump(results, f)
"""


def run_train_jobs(jobs, out, env=None):
    """{name: 'ok' or what went wrong} of tools/train.py runs, ``jobs`` = {name: argv}, all in
    one subprocess. In one process every job needs its own logger / visualizer instance: pass
    `experiment_name=<name>` and `visualizer.name=<name>` among its --cfg-options."""
    proc = subprocess.run([sys.executable, '-c', TRAIN_JOBS_DRIVER, json.dumps(jobs), str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and osp.exists(out), proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out) as f:
        return json.load(f)
