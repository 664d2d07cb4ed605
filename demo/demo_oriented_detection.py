"""Demo step: oriented tree-crown detection (Oriented R-CNN) from the demo-pretrained CMID
backbone vs random init, on real NEON imagery with exact rotated boxes.

    python demo/demo_oriented_detection.py work_dirs/demo/cmid_pretrain/iter_500.pth \
        --work-dir work_dirs/demo/oriented_detection

Prepares the data (demo/demo_oriented_data.py: deepforest's tree patches rotated by random
angles), trains the CMID demo config and its random-init sibling with tools/train.py and the
same budget, then prints the val AP50 of rotated boxes (``DOTAMetric``) of both.
"""
import json
import os
import os.path as osp

import cmid_mm  # noqa: F401  registers modules; checkpoints load through cmid_mm.checkpoint
from demo_common import (REPO, check_backbone_checkpoint, cmid_vs_random, finetune_parser,
                         mean_std, versus)
from demo_oriented_data import prepare_rotated_neon_trees

CONFIGS = dict(
    cmid='configs/oriented_detection/'
    'oriented-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-rotated-demo.py',
    random='configs/oriented_detection/'
    'oriented-rcnn_resnet18-random_fpn_1xb4-150i_neon-trees-rotated-demo.py')
DATA = 'data/neon_trees_rotated_demo'


def main():
    args = finetune_parser(__doc__.splitlines()[0],
                           'work_dirs/demo/oriented_detection').parse_args()
    checkpoint = osp.abspath(args.checkpoint)
    check_backbone_checkpoint(checkpoint, depth=18)
    work_dir = osp.abspath(args.work_dir)
    os.chdir(REPO)
    print('data: NEON trees, rotated', prepare_rotated_neon_trees(DATA), flush=True)
    results = cmid_vs_random(CONFIGS, checkpoint, work_dir, 'dota/AP50', args.iters, 100.,
                             args.seeds)
    print(f'\nOriented tree-crown detection (NEON, rotated patches) from {args.checkpoint}, '
          f'val split, same budget, mean ± std over fine-tuning seeds {args.seeds}')
    print('| task | metric | CMID init | random init | CMID - random |')
    print('|---|---|---|---|---|')
    print(f'| oriented tree-crown detection (NEON 10 cm RGB, rotated) | AP50 (%) | '
          f'{mean_std(results["cmid"])} | {mean_std(results["random"])} | '
          f'{versus(results["cmid"], results["random"])} |')
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump([dict(task='oriented tree-crown detection (NEON, rotated)', metric='AP50 (%)',
                        seeds=args.seeds, **results)], f, indent=1)


if __name__ == '__main__':
    main()
