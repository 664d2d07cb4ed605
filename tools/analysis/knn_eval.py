"""Weighted kNN and linear-probe accuracy of a frozen (pretrained) backbone on a labelled dataset.

    python tools/analysis/knn_eval.py DATA_CONFIG CHECKPOINT [--model-config CFG | --zoo NAME]
        [--random-init] [--k 20] [--temperature 0.07] [--no-probe] [--probe-wd 1e-3]
        [--bank-split train] [--query-split val] [--batch-size N] [--out result.json]

DATA_CONFIG: any mmpretrain classification dataset config; its ``train_dataloader`` is the kNN
memory bank (and the probe's training set), its ``val_dataloader`` (or ``test_dataloader``) the
queries. CHECKPOINT: a CMID training checkpoint (the student ``backbone.*`` is used), an
mmpretrain classifier checkpoint or an extracted backbone (plain keys). The architecture is read
from the weights (ResNet, Swin, ViT) unless --model-config or --zoo names it; the config text a
checkpoint embeds is never evaluated. With --zoo and no CHECKPOINT the zoo weights are downloaded.

Features: the backbone's last stage, global-average-pooled, with the normalisation the model was
trained with (its data_preprocessor). kNN: cosine similarity of L2-normalised features, ``k``
neighbours weighted by ``exp(sim / T)`` (Wu et al. 2018 / DINO; defaults k=20, T=0.07). Probe:
L2-regularised multinomial logistic regression (L-BFGS) on the standardised bank features.
"""
import argparse
import json
import os
import os.path as osp

import cmid_mm  # noqa: F401  registers modules and checkpoint safe globals
import torch
from cmid_mm.evaluation import build_eval_backbone, normalizer_from
from cmid_mm.evaluation.frozen_eval import build_labelled_loader, evaluate_frozen
from cmid_mm.utils import CLIError, load_config, run_cli
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_config', help='mmpretrain classification dataset config')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint path or URL')
    arch = parser.add_mutually_exclusive_group()
    arch.add_argument('--model-config', help='config whose model.backbone is the architecture')
    arch.add_argument('--zoo', help='mmpretrain model-zoo name, e.g. resnet50_8xb32_in1k')
    parser.add_argument('--random-init', action='store_true',
                        help='evaluate the architecture at its random initialisation (baseline)')
    parser.add_argument('--k', type=int, default=20, help='neighbours (default 20)')
    parser.add_argument('--temperature', type=float, default=0.07, help='kNN T (default 0.07)')
    parser.add_argument('--no-probe', action='store_true', help='skip the linear probe')
    parser.add_argument('--probe-wd', type=float, default=1e-3, help='probe L2 weight')
    parser.add_argument('--bank-split', default='train', choices=['train', 'val', 'test'])
    parser.add_argument('--query-split', default='val', choices=['train', 'val', 'test'])
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--seed', type=int, default=0, help='seed of a --random-init backbone')
    parser.add_argument('--out', help='also write the result as JSON here')
    return parser.parse_args()


def split_loader_cfg(cfg, split, path):
    key = f'{split}_dataloader'
    if cfg.get(key) is None and split == 'val' and cfg.get('test_dataloader') is not None:
        key = 'test_dataloader'
    if cfg.get(key) is None or 'dataset' not in cfg[key]:
        raise CLIError(f'{path} has no {key} with a dataset (needed for the {split} split)')
    return cfg[key]


def main():
    args = parse_args()
    if args.checkpoint is None and args.zoo is None and not args.random_init:
        raise CLIError('give a CHECKPOINT (or --zoo NAME for the zoo weights, or --random-init '
                       'with --model-config)')
    if args.checkpoint and '://' not in args.checkpoint and not osp.isfile(args.checkpoint):
        raise CLIError(f'checkpoint file not found: {args.checkpoint}')
    if args.k < 1 or args.temperature <= 0:
        raise CLIError(f'--k {args.k} must be >= 1 and --temperature {args.temperature} > 0')
    data_cfg = load_config(args.data_config)
    init_default_scope(data_cfg.get('default_scope', 'mmpretrain'))
    bank_cfg = split_loader_cfg(data_cfg, args.bank_split, args.data_config)
    query_cfg = split_loader_cfg(data_cfg, args.query_split, args.data_config)

    # A current logger at WARNING keeps init_weights' per-parameter report out of the output.
    MMLogger.get_instance('knn_eval', log_level='WARNING')
    torch.manual_seed(args.seed)
    try:
        backbone, preprocessor_cfg, desc = build_eval_backbone(
            args.checkpoint, args.model_config, args.zoo, args.random_init)
        bank = build_labelled_loader(bank_cfg, args.batch_size)
        query = build_labelled_loader(query_cfg, args.batch_size)
    except (ValueError, FileNotFoundError, KeyError) as e:
        raise CLIError(str(e).strip('"\'')) from e
    if len(bank.dataset) < args.k:
        raise CLIError(f'--k {args.k} is larger than the memory bank ({len(bank.dataset)} '
                       f'{args.bank_split} samples of {args.data_config}); give --k <= '
                       f'{len(bank.dataset)}')
    if preprocessor_cfg is None:
        preprocessor_cfg = data_cfg.get('data_preprocessor')
        origin = 'the weights' if args.model_config is None and args.zoo is None else \
            'the model config, which has no data_preprocessor'
        print(f'note: architecture from {origin}; normalising with '
              + ('the data config\'s data_preprocessor' if preprocessor_cfg else
                 'ImageNet mean / std') + ' (give --model-config for the training one)')
    backbone.to(args.device)
    result = evaluate_frozen(backbone, normalizer_from(preprocessor_cfg), bank, query, args.k,
                             args.temperature, not args.no_probe, args.probe_wd)
    result.update(backbone=desc, data_config=args.data_config)

    print(f'backbone: {desc}')
    print(f'data: {args.data_config}: bank {result["num_bank"]} ({args.bank_split}), '
          f'queries {result["num_query"]} ({args.query_split}), {result["num_classes"]} classes, '
          f'feature dim {result["feat_dim"]}')
    print(f'weighted kNN (k={args.k}, T={args.temperature}) top-1: {result["knn_top1"]:.2f} %')
    if 'probe_top1' in result:
        print(f'linear probe (logistic regression, wd={args.probe_wd}) top-1: '
              f'{result["probe_top1"]:.2f} %')
    print(f'majority class (constant prediction) top-1: {result["majority"]:.2f} %')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)


if __name__ == '__main__':
    run_cli(main)
