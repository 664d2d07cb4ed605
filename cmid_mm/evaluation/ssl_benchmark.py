"""Equal-budget SSL benchmark (configs/ssl_benchmark/README.md): pretrain each method / seed with
the train tool, evaluate its frozen student backbone (kNN top-1 and linear probe on a labelled
classification set, a linear tree-cover segmentation probe on NEON tiles), cache one result per
run, and summarise mean +- std over seeds as a markdown table.

Runs are resumable: ``<work_dir>/<method>/seed<seed>/result.json`` holds a finished run (and the
budget it ran with); a run whose training finished but whose evaluation did not skips training.
"""
import glob
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from .seed_noise import beyond_noise, mean_std

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = 'configs/ssl_benchmark'
BUDGET = 'resnet18_1xb32-adan-60i_neon-64px-bench.py'
# method -> config (None: no pretraining, the full CMID config's backbone at its initialisation)
METHODS = {
    'random': None,
    'mocov2': f'{CONFIG_DIR}/mocov2_{BUDGET}',
    'mocov3': f'{CONFIG_DIR}/mocov3_{BUDGET}',
    'byol': f'{CONFIG_DIR}/byol_{BUDGET}',
    'simsiam': f'{CONFIG_DIR}/simsiam_{BUDGET}',
    'cmid-global': f'{CONFIG_DIR}/cmid-global-only_{BUDGET}',
    'cmid-local': f'{CONFIG_DIR}/cmid-local-only_{BUDGET}',
    'cmid-rec': f'{CONFIG_DIR}/cmid-rec-only_{BUDGET}',
    'cmid': f'{CONFIG_DIR}/cmid_{BUDGET}',
}
MEASURES = (('knn_top1', 'kNN top-1 %'), ('probe_top1', 'linear probe %'),
            ('seg_miou', 'tree-cover mIoU %'))
NEON_SCENES = ('OSBS_029', 'SOAP_061', '2019_YELL_2_541000_4977000_image_crop',
               '2019_YELL_2_528000_4978000_image_crop2')


class BenchmarkError(ValueError):
    """Bad input (a missing data folder, an unknown method): one line naming it and the fix."""


# ----------------------------------------------------------------------------- data


def _deepforest_data() -> str:
    spec = importlib.util.find_spec('deepforest')
    if spec is None or not spec.submodule_search_locations:
        raise BenchmarkError('the `deepforest` package (NEON tree boxes) is not installed: '
                             '`pip install --no-deps deepforest`, or give --seg-data')
    return osp.join(list(spec.submodule_search_locations)[0], 'data')


def _voc_boxes(path: str) -> np.ndarray:
    boxes = [[float(o.find('bndbox').find(k).text) for k in ('xmin', 'ymin', 'xmax', 'ymax')]
             for o in ET.parse(path).getroot().iter('object')]
    return np.asarray(boxes, np.float32).reshape(-1, 4)


def _evenly(items: list, n: int) -> list:
    if len(items) <= n:
        return items
    return [items[i] for i in np.linspace(0, len(items) - 1, n).round().astype(int)]


def prepare_tree_cover(out_dir: str, tile: int = 128, val_fraction: float = 0.25,
                       max_train: int = 16, max_val: int = 8) -> dict:
    """Binary tree-cover masks (1 = inside a crown box) of the NEON scenes of ``deepforest``.

    Every scene is cut into ``tile`` px tiles without overlap; tiles whose centre lies in the
    bottom ``val_fraction`` of the scene validate, the others train; at most ``max_train`` /
    ``max_val`` tiles per scene, evenly spaced. Written as ``{train,val}/{img,mask}/*.png``.
    The boxes are axis-aligned, so a mask over-covers round crowns: the labels are coarse.
    """
    src = _deepforest_data()
    stats = {}
    for split in ('train', 'val'):
        for sub in ('img', 'mask'):
            os.makedirs(osp.join(out_dir, split, sub), exist_ok=True)
        stats[split] = dict(tiles=0, tree_fraction=0.0)
    for scene in NEON_SCENES:
        image = cv2.imread(osp.join(src, f'{scene}.png'), cv2.IMREAD_COLOR)
        if image is None:
            raise BenchmarkError(f'cannot read {osp.join(src, scene + ".png")} (deepforest data)')
        mask = np.zeros(image.shape[:2], np.uint8)
        for x1, y1, x2, y2 in _voc_boxes(osp.join(src, f'{scene}.xml')).round().astype(int):
            mask[max(y1, 0):y2, max(x1, 0):x2] = 1
        h, w = mask.shape
        tiles = {'train': [], 'val': []}
        for y in range(0, h - tile + 1, tile):
            for x in range(0, w - tile + 1, tile):
                split = 'val' if y + tile / 2 > h * (1 - val_fraction) else 'train'
                tiles[split].append((y, x))
        for split, limit in (('train', max_train), ('val', max_val)):
            for y, x in _evenly(tiles[split], limit):
                name = f'{scene}_{y}_{x}.png'
                cv2.imwrite(osp.join(out_dir, split, 'img', name), image[y:y + tile, x:x + tile])
                m = mask[y:y + tile, x:x + tile]
                cv2.imwrite(osp.join(out_dir, split, 'mask', name), m)
                stats[split]['tiles'] += 1
                stats[split]['tree_fraction'] += float(m.mean())
    for s in stats.values():
        s['tree_fraction'] = round(s['tree_fraction'] / max(s['tiles'], 1), 3)
    with open(osp.join(out_dir, 'stats.json'), 'w') as f:
        json.dump(stats, f)
    return stats


def load_seg_split(root: str, split: str, size: int):
    """``(images uint8 (N, size, size, 3) BGR, masks int64 (N, size, size))`` of one split."""
    paths = sorted(glob.glob(osp.join(root, split, 'img', '*.png')))
    if not paths:
        raise BenchmarkError(f'no segmentation tiles in {osp.join(root, split, "img")}/*.png; '
                             'delete the folder to rebuild it, or give --seg-data')
    imgs, masks = [], []
    for p in paths:
        m = cv2.imread(osp.join(root, split, 'mask', osp.basename(p)), cv2.IMREAD_GRAYSCALE)
        if m is None:
            raise BenchmarkError(f'missing mask for {p} in {osp.join(root, split, "mask")}')
        imgs.append(cv2.resize(cv2.imread(p, cv2.IMREAD_COLOR), (size, size),
                               interpolation=cv2.INTER_AREA))
        masks.append(cv2.resize(m, (size, size), interpolation=cv2.INTER_NEAREST))
    return np.stack(imgs), torch.from_numpy(np.stack(masks).astype(np.int64))


# ----------------------------------------------------------------------------- evaluation


@torch.no_grad()
def hypercolumns(backbone, preprocessor, images: np.ndarray) -> torch.Tensor:
    """(N, C, H/4, W/4) features: every stage of the backbone upsampled to stride 4."""
    old = backbone.out_indices
    backbone.out_indices = tuple(range(len(backbone.res_layers)))
    try:
        x = torch.from_numpy(images).permute(0, 3, 1, 2).float()
        data = preprocessor(dict(inputs=list(x)), False)
        outs = backbone(data['inputs'])
    finally:
        backbone.out_indices = old
    size = outs[0].shape[-2:]
    return torch.cat([F.interpolate(o, size, mode='bilinear', align_corners=False)
                      for o in outs], 1)


def segmentation_probe(train_feats, train_masks, val_feats, val_masks, num_classes: int = 2,
                       weight_decay: float = 0.1, max_iter: int = 100) -> float:
    """mIoU (%) on the val tiles of a per-pixel linear head on frozen stride-4 features.

    The head is the linear probe's L-BFGS logistic regression (:mod:`.linear_probe`, features
    standardised) fitted on every stride-4 pixel of the train tiles, its target the majority
    class of the 4x4 mask block; val logits are upsampled bilinearly to the mask size. A closed
    convex fit: no learning-rate or step count to tune per backbone, deterministic.
    """
    from .linear_probe import fit_logistic_regression
    size, channels = train_feats.shape[-1], train_feats.shape[1]
    target = F.adaptive_avg_pool2d(train_masks[:, None].float(), size)[:, 0] >= 0.5
    predict = fit_logistic_regression(train_feats.permute(0, 2, 3, 1).reshape(-1, channels),
                                      target.long().flatten(), num_classes, weight_decay,
                                      max_iter)
    logits = predict(val_feats.permute(0, 2, 3, 1).reshape(-1, channels)).float()
    logits = logits.reshape(len(val_feats), size, size, num_classes).permute(0, 3, 1, 2)
    pred = F.interpolate(logits, val_masks.shape[-2:], mode='bilinear',
                         align_corners=False).argmax(1)
    ious = []
    for c in range(num_classes):
        union = ((pred == c) | (val_masks == c)).sum().item()
        if union:
            ious.append(((pred == c) & (val_masks == c)).sum().item() / union)
    return float(np.mean(ious) * 100)


def knn_loader_cfg(root: str, split: str, size: int) -> dict:
    """An mmpretrain CustomDataset loader over ``root/{split}.txt`` (``classes.txt`` names)."""
    classes_file = osp.join(root, 'classes.txt')
    if not osp.isfile(osp.join(root, f'{split}.txt')) or not osp.isfile(classes_file):
        raise BenchmarkError(f'{root} lacks {split}.txt or classes.txt: build it with '
                             '`python demo/prepare_knn_data.py --out data/rs_knn`, or give '
                             '--knn-data')
    classes = tuple(ln.strip() for ln in open(classes_file) if ln.strip())
    return dict(
        batch_size=32, num_workers=0, persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='default_collate'),
        dataset=dict(type='CustomDataset', data_root=root, ann_file=f'{split}.txt',
                     data_prefix='images', classes=classes,
                     pipeline=[dict(type='LoadImageFromFile'),
                               dict(type='Resize', scale=(size, size)),
                               dict(type='PackInputs')]))


def evaluate_backbone(model_config: str, checkpoint: Optional[str], knn_data: str,
                      seg_data: str, size: int = 64, seed: int = 0, k: int = 20) -> dict:
    """kNN top-1, linear-probe top-1 and tree-cover mIoU (all %) of a frozen backbone
    (``checkpoint`` None: ``model_config``'s backbone at its seeded initialisation)."""
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope

    from .backbone_loading import build_eval_backbone
    from .features import normalizer_from
    from .frozen_eval import build_labelled_loader, evaluate_frozen

    init_default_scope('mmpretrain')
    MMLogger.get_instance('ssl_benchmark', log_level='WARNING')
    torch.manual_seed(seed)
    backbone, preprocessor_cfg, _ = build_eval_backbone(checkpoint, model_config,
                                                        random_init=checkpoint is None)
    preprocessor = normalizer_from(preprocessor_cfg)
    bank = build_labelled_loader(knn_loader_cfg(knn_data, 'train', size))
    query = build_labelled_loader(knn_loader_cfg(knn_data, 'val', size))
    result = evaluate_frozen(backbone, preprocessor, bank, query, min(k, len(bank.dataset)),
                             progress=False)
    train_imgs, train_masks = load_seg_split(seg_data, 'train', size)
    val_imgs, val_masks = load_seg_split(seg_data, 'val', size)
    result['seg_miou'] = segmentation_probe(
        hypercolumns(backbone, preprocessor, train_imgs), train_masks,
        hypercolumns(backbone, preprocessor, val_imgs), val_masks)
    return {key: result[key] for key in ('knn_top1', 'probe_top1', 'seg_miou', 'majority')}


# ----------------------------------------------------------------------------- training


def budget_config(config: str, iters: Optional[int], seed: int, work_dir: str,
                  train_data: Optional[str] = None):
    """The method's config with ``iters`` iterations (every scheduler's begin / end / T_max
    scaled by the same factor, so warm-up stays the same fraction), ``seed`` and
    ``train_data`` as the data root."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, config))
    old = cfg.train_cfg.max_iters
    iters = iters or old
    if iters != old:
        for sched in cfg.param_scheduler:
            for key in ('begin', 'end', 'T_max'):
                if key in sched:
                    sched[key] = max(1, round(sched[key] * iters / old)) if sched[key] else 0
            if sched.get('begin', 0) >= iters:  # a 1-iteration schedule: warm-up only
                sched['begin'] = iters - 1
        cfg.train_cfg.max_iters = iters
        cfg.default_hooks.checkpoint.interval = iters
    if train_data:
        cfg.train_dataloader.dataset.data_root = train_data
    cfg.train_dataloader.dataset.data_root = osp.join(
        REPO, cfg.train_dataloader.dataset.data_root)
    cfg.randomness = dict(seed=seed)
    cfg.work_dir = work_dir
    cfg.default_hooks.logger.interval = min(cfg.default_hooks.logger.interval, iters)
    return cfg, iters


def train_run(config: str, run_dir: str, iters: Optional[int], seed: int,
              train_data: Optional[str] = None) -> dict:
    """Pretrain with ``tools/train.py`` on the budgeted config; returns ``{train_s, iters,
    backbone}``. Its log: ``run_dir/train.log``. Written to ``run_dir/train.json`` too."""
    os.makedirs(run_dir, exist_ok=True)
    cfg, iters = budget_config(config, iters, seed, run_dir, train_data)
    data_root = cfg.train_dataloader.dataset.data_root
    if not glob.glob(osp.join(data_root, cfg.train_dataloader.dataset.get('data_prefix', ''),
                              '*')):
        raise BenchmarkError(f'no training images under {data_root}: build them with `python '
                             'demo/prepare_demo_data.py --out data/neon_demo_128px --tile 128`, '
                             'or give --train-data')
    cfg_path = osp.join(run_dir, 'config.py')
    cfg.dump(cfg_path)
    log_path = osp.join(run_dir, 'train.log')
    cmd = [sys.executable, osp.join(REPO, 'tools', 'train.py'), cfg_path, '--work-dir', run_dir]
    start = time.perf_counter()
    with open(log_path, 'w') as log:
        proc = subprocess.run(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    train_s = time.perf_counter() - start
    backbone = osp.join(run_dir, 'student_backbone_last.pth')
    if proc.returncode != 0 or not osp.isfile(backbone):
        tail = ''.join(open(log_path).readlines()[-15:])
        raise RuntimeError(f'training failed ({" ".join(cmd)}); log {log_path}:\n{tail}')
    for full in glob.glob(osp.join(run_dir, 'iter_*.pth')):  # student+teacher: not needed
        os.remove(full)
    info = dict(train_s=round(train_s, 1), iters=iters, backbone=backbone)
    with open(osp.join(run_dir, 'train.json'), 'w') as f:
        json.dump(info, f)
    return info


def run_one(method: str, seed: int, work_dir: str, iters: Optional[int], knn_data: str,
            seg_data: str, train_data: Optional[str] = None, log=print,
            cached_only: bool = False) -> Optional[dict]:
    """One method / seed, from cache when ``result.json`` has the same budget (with
    ``cached_only``, None when it has not)."""
    run_dir = osp.join(work_dir, method, f'seed{seed}')
    config = METHODS[method]
    budget = 0 if config is None else (iters or _config_iters(config))
    result_path = osp.join(run_dir, 'result.json')
    if osp.isfile(result_path):
        cached = json.load(open(result_path))
        if cached.get('iters') == budget:
            return dict(cached, cached=True)
    if cached_only:
        return None
    os.makedirs(run_dir, exist_ok=True)
    train = dict(train_s=0.0, iters=0, backbone=None)
    train_json = osp.join(run_dir, 'train.json')
    if config is not None:
        if osp.isfile(train_json) and json.load(open(train_json)).get('iters') == budget \
                and osp.isfile(json.load(open(train_json))['backbone']):
            train = json.load(open(train_json))
        else:
            log(f'[{method} seed {seed}] pretraining {budget} iterations ...')
            train = train_run(config, run_dir, budget, seed, train_data)
    start = time.perf_counter()
    metrics = evaluate_backbone(osp.join(REPO, config or METHODS['cmid']), train['backbone'],
                                knn_data, seg_data, seed=seed)
    result = dict(method=method, seed=seed, iters=budget, train_s=train['train_s'],
                  eval_s=round(time.perf_counter() - start, 1), **metrics)
    with open(result_path, 'w') as f:
        json.dump(result, f)
    log(f'[{method} seed {seed}] ' + ', '.join(f'{k} {result[k]:.1f}' for k, _ in MEASURES)
        + f' (train {result["train_s"]} s, eval {result["eval_s"]} s)')
    return dict(result, cached=False)


def _config_iters(config: str) -> int:
    from mmengine.config import Config
    return Config.fromfile(osp.join(REPO, config)).train_cfg.max_iters


# ----------------------------------------------------------------------------- summary


def summarize(results: List[dict], methods: Sequence[str]) -> Dict[str, dict]:
    """Per method: ``{measure: (mean, std)}``, ``{measure}_values`` (one per seed), the seeds,
    per-run train / eval seconds."""
    out = {}
    for method in methods:
        runs = sorted((r for r in results if r['method'] == method), key=lambda r: r['seed'])
        if not runs:
            continue
        out[method] = dict(
            seeds=[r['seed'] for r in runs], iters=runs[0]['iters'],
            train_s=[r['train_s'] for r in runs], eval_s=[r['eval_s'] for r in runs],
            **{key: mean_std([r[key] for r in runs]) for key, _ in MEASURES},
            **{f'{key}_values': [r[key] for r in runs] for key, _ in MEASURES})
    return out


def markdown_table(summary: Dict[str, dict]) -> str:
    head = ['method', 'iters', 'seeds'] + [name for _, name in MEASURES] + \
        ['train s / run', 'eval s / run']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for method, s in summary.items():
        cells = [method, str(s['iters']), ','.join(map(str, s['seeds']))]
        cells += [f'{s[key][0]:.1f} ± {s[key][1]:.1f}' for key, _ in MEASURES]
        cells += [', '.join(f'{t:.0f}' for t in s['train_s']),
                  ', '.join(f'{t:.0f}' for t in s['eval_s'])]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def verdicts(summary: Dict[str, dict], target: str = 'cmid') -> List[str]:
    """For every other method: on which measures ``target`` is ahead beyond seed noise
    (``seed_noise.beyond_noise``: a mean gap larger than the sum of the two stds), and whether
    that holds on >= 2 of 3. Without two seeds of both there is no verdict."""
    if target not in summary:
        return []
    lines = []
    t = summary[target]
    for method, s in summary.items():
        if method == target:
            continue
        if min(len(t['seeds']), len(s['seeds'])) < 2:
            lines.append(f'{target} vs {method}: no verdict (needs >= 2 seeds of each)')
            continue
        sign = {name: beyond_noise(t[f'{key}_values'], s[f'{key}_values'])
                for key, name in MEASURES}
        wins = [name for name, v in sign.items() if v == 1]
        losses = [name for name, v in sign.items() if v == -1]
        lines.append(f'{target} vs {method}: ahead beyond seed noise on {len(wins)}/3'
                     + (f' ({", ".join(wins)})' if wins else '')
                     + (f', behind beyond noise on {", ".join(losses)}' if losses else '')
                     + (' -> BEATS' if len(wins) >= 2 else ' -> does not beat'))
    return lines

