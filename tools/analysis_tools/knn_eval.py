"""Weighted kNN and linear-probe accuracy of a frozen (pretrained) backbone on a labelled dataset.

    python tools/analysis_tools/knn_eval.py DATA_CONFIG CHECKPOINT [--model-config CFG | --zoo NAME]
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
L2-regularised multinomial logistic regression (L-BFGS) on the standardised bank features
(:func:`cmid_mm.evaluation.frozen_checkpoint.evaluate_checkpoint`).
"""
import argparse
import json
import os
import os.path as osp

from cmid_mm.evaluation.frozen_checkpoint import evaluate_checkpoint
from cmid_mm.utils import run_cli


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


def main():
    args = parse_args()
    result = evaluate_checkpoint(
        args.data_config, args.checkpoint, args.model_config, args.zoo, args.random_init,
        args.k, args.temperature, not args.no_probe, args.probe_wd, args.bank_split,
        args.query_split, args.batch_size, args.device, args.seed)
    if result['normalization']:
        print(f"note: {result['normalization']}")
    print(f"backbone: {result['backbone']}")
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
    run_cli(main, user_errors=(ValueError, FileNotFoundError, KeyError))
