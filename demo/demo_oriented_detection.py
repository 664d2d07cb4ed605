"""Demo step: oriented tree-crown detection (Oriented R-CNN) from the demo-pretrained CMID
backbone vs random init, on real NEON imagery with exact rotated boxes.

    python demo/demo_oriented_detection.py work_dirs/demo/cmid_pretrain/iter_200.pth \
        --work-dir work_dirs/demo/oriented_detection

Prepares the data (demo/demo_oriented_data.py: deepforest's tree patches rotated by random
angles), trains the CMID demo config and its random-init sibling with tools/train.py and the
same budget, then prints the val AP50 of rotated boxes (``DOTAMetric``) of both.
"""
import argparse
import os
import os.path as osp

import cmid_mm  # noqa: F401  registers modules; checkpoints load through cmid_mm.checkpoint
from demo_common import REPO, check_backbone_checkpoint, last_value, run_train
from demo_oriented_data import prepare_rotated_neon_trees

CONFIGS = dict(
    cmid='configs/oriented_detection/'
    'oriented-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-rotated-demo.py',
    random='configs/oriented_detection/'
    'oriented-rcnn_resnet18-random_fpn_1xb4-150i_neon-trees-rotated-demo.py')
DATA = 'data/neon_trees_rotated_demo'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='CMID pretraining checkpoint (keys backbone.*)')
    parser.add_argument('--work-dir', default='work_dirs/demo/oriented_detection')
    parser.add_argument('--iters', type=int, default=None,
                        help="training iterations per run, for quick checks (default: the demo "
                        "configs' 150; the learning-rate schedule is not rescaled)")
    return parser.parse_args()


def main():
    args = parse_args()
    checkpoint = osp.abspath(args.checkpoint)
    check_backbone_checkpoint(checkpoint, depth=18)
    work_dir = osp.abspath(args.work_dir)
    os.chdir(REPO)
    print('data: NEON trees, rotated', prepare_rotated_neon_trees(DATA), flush=True)
    schedule = []
    if args.iters is not None:
        schedule = [f'train_cfg.max_iters={args.iters}', f'train_cfg.val_interval={args.iters}',
                    f'default_hooks.checkpoint.interval={args.iters}']
    results = {}
    for init, config in CONFIGS.items():
        options = list(schedule)
        if init == 'cmid':
            options.append(f'model.backbone.init_cfg.checkpoint={checkpoint}')
        run_dir = osp.join(work_dir, osp.splitext(osp.basename(config))[0])
        seconds = run_train(config, run_dir, options)
        results[init] = last_value(run_dir, 'dota/AP50') * 100
        print(f'oriented tree detection, {init} init: AP50 {results[init]:.2f} ({seconds:.0f} s)',
              flush=True)
    print(f'\nOriented tree-crown detection (NEON, rotated patches) from {args.checkpoint}, '
          'val split, same budget')
    print('| task | metric | CMID init | random init |')
    print('|---|---|---|---|')
    print(f'| oriented tree-crown detection (NEON 10 cm RGB, rotated) | AP50 (%) | '
          f'{results["cmid"]:.2f} | {results["random"]:.2f} |')


if __name__ == '__main__':
    main()
