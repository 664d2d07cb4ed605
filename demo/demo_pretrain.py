"""Demo step 1: CMID pretraining on unlabelled NEON 10 cm RGB tiles, and what it learned.

    python demo/demo_pretrain.py [--work-dir work_dirs/demo/cmid_pretrain] [--iters N]

Tiles deepforest's NEON orthophotos (demo/prepare_demo_data.py) and the labelled held-out NEON
site tiles (demo/prepare_knn_data.py), trains the 64 px CPU recipe through tools/train.py
(its KNNEvalHook evaluates the run's own random init at iteration 0 and every 50 iterations),
then prints the loss table against each term's chance level, the kNN curve in words beside the
spread of random inits over seeds, and writes the learning curves (``curves.png``) and
``pretrain.json`` into the work dir.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys

from demo_common import REPO, run_scalars, run_train

CONFIG = 'configs/cmid/cmid_resnet18_1xb32-adan-500i_neon-64px-monitored.py'
TILES = 'data/neon_demo_128px'
INIT_SEEDS = (1, 2)  # random inits besides the run's own (its iteration-0 evaluation)


def random_init_knn(cfg, seeds):
    """kNN top-1 of the config's backbone at random init, one value per seed, evaluated as the
    config's KNNEvalHook evaluates (same loaders, k, temperature, preprocessing)."""
    import torch
    from cmid_mm.evaluation import build_eval_backbone, normalizer_from
    from cmid_mm.evaluation.frozen_eval import build_labelled_loader, evaluate_frozen
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope
    init_default_scope('mmpretrain')
    MMLogger.get_instance('demo_pretrain', log_level='WARNING')  # no per-parameter init report
    hook = next(h for h in cfg.custom_hooks if h['type'] == 'KNNEvalHook')
    loaders = (build_labelled_loader(hook['bank_dataloader']),
               build_labelled_loader(hook['query_dataloader']))
    values = []
    for seed in seeds:
        torch.manual_seed(seed)
        backbone, pre_cfg, _ = build_eval_backbone(model_config=CONFIG, random_init=True)
        values.append(evaluate_frozen(backbone, normalizer_from(pre_cfg), *loaders,
                                      k=hook['k'], temperature=hook['temperature'],
                                      progress=False)['knn_top1'])
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo/cmid_pretrain')
    parser.add_argument('--iters', type=int, default=None,
                        help='pretraining iterations (default: the config\'s; for quick checks)')
    args = parser.parse_args()
    work_dir = osp.abspath(args.work_dir)
    os.chdir(REPO)
    for script, out, extra in (('demo/prepare_demo_data.py', TILES, ['--tile', '128']),
                               ('demo/prepare_knn_data.py', 'data/rs_knn', [])):
        subprocess.run([sys.executable, script, '--out', out, *extra], check=True,
                       stdout=subprocess.DEVNULL)

    import cmid_mm  # noqa: F401  registers the modules the config names
    from mmengine.config import Config
    cfg = Config.fromfile(CONFIG)
    iters = args.iters or cfg.train_cfg.max_iters
    options = []
    if args.iters:
        options = [f'train_cfg.max_iters={iters}', f'default_hooks.checkpoint.interval={iters}']
    tiles = sum(len(files) for _, _, files in os.walk(osp.join(TILES, 'tiles')))
    batch = cfg.train_dataloader.batch_size
    print(f'pretraining {CONFIG}: CMID ResNet-18 from random init, {iters} iterations x {batch} '
          f'images ({iters * batch} image pairs seen) on {tiles} unlabelled 128 px NEON 10 cm RGB '
          f'tiles ({TILES}), 64 px views; log: {work_dir}/train.log', flush=True)
    wall = run_train(CONFIG, work_dir, options)
    summarise(cfg, work_dir, iters, tiles, wall)


def summarise(cfg, work_dir: str, iters: int, tiles: int, wall: float) -> None:
    """Print what the run learned; write curves.png and pretrain.json into ``work_dir``."""
    from cmid_mm.engine.hooks.knn_eval_hook import curve_in_words
    from cmid_mm.evaluation.training_curves import (chance_levels, format_loss_table,
                                                    loss_rows, loss_table, plot_curves,
                                                    read_knn_curve)
    rows = loss_rows(run_scalars(work_dir)['train'])
    chance = chance_levels(cfg.model)
    table = loss_table(rows, chance)
    log_dir = sorted(d for d in os.listdir(work_dir) if d[:8].isdigit())[-1]
    history = read_knn_curve(osp.join(work_dir, log_dir))
    if history is None:
        raise SystemExit(f'error: {osp.join(work_dir, log_dir)} has no knn_curve.json: the '
                         f'config {CONFIG} must keep its KNNEvalHook')
    inits = [history[0]['top1']] + random_init_knn(cfg, INIT_SEEDS)
    plot_curves(osp.join(work_dir, 'curves.png'), rows, chance, history,
                title=f'CMID ResNet-18, {iters} iterations, NEON tiles')

    print(f'\npretraining took {wall / 60:.1f} min')
    print(format_loss_table(table))
    print(curve_in_words(history))
    print(f'random-init kNN top-1 over {len(inits)} init seeds (the run\'s own first): '
          + ', '.join(f'{v:.1f}' for v in inits)
          + f' (mean {statistics.mean(inits):.1f}); last checkpoint kNN {history[-1]["top1"]:.1f}'
          + f' on {osp.basename(cfg.knn_data_root.rstrip("/"))} ({history[-1]["majority"]:.1f} '
          'majority class)')
    print(f'learning curves: {work_dir}/curves.png')
    with open(osp.join(work_dir, 'pretrain.json'), 'w') as f:
        json.dump(dict(config=CONFIG, iters=iters, batch_size=cfg.train_dataloader.batch_size,
                       tiles=tiles, data=TILES, wall_s=wall, loss_table=table,
                       knn_curve=history, random_init_knn=inits,
                       checkpoint=osp.join(work_dir, f'iter_{iters}.pth')), f, indent=1)


if __name__ == '__main__':
    main()
