"""Demo step 2: fine-tune the demo-pretrained CMID backbone on labelled NEON data vs random init.

    python demo/demo_downstream.py work_dirs/demo/cmid_pretrain/iter_500.pth [--seeds 0 1]

Prepares the data (demo/demo_downstream_data.py: NEON tree crowns from ``deepforest``, the same
10 cm RGB domain as the pretraining tiles), trains each task with tools/train.py at the same
budget from the CMID backbone and from random init, once per fine-tuning seed, then prints val
AP50 as mean ± std over the seeds and writes ``results.json``. (Land-cover segmentation is
Landsat, another domain: `make demo-multispectral` pretrains on Landsat for it.)
"""
import json
import os
import os.path as osp

import cmid_mm  # noqa: F401  registers modules; checkpoints load through cmid_mm.checkpoint
from demo_common import (REPO, check_backbone_checkpoint, cmid_vs_random, finetune_parser,
                         mean_std, versus)
from demo_downstream_data import prepare_neon_trees

TASKS = [
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
    print('data: NEON trees', prepare_neon_trees('data/neon_trees_demo'), flush=True)

    rows = []
    for task in TASKS:
        results = cmid_vs_random(task, checkpoint, work_dir, task['metric'], args.iters,
                                 task['scale'], args.seeds)
        rows.append(dict(task=task['name'], metric=task['label'], seeds=args.seeds, **results))

    print(f'\nDownstream fine-tuning from {args.checkpoint} (val split, same budget per pair, '
          f'mean ± std over fine-tuning seeds {args.seeds})')
    print(format_rows(rows))
    os.makedirs(work_dir, exist_ok=True)
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(rows, f, indent=1)


def format_rows(rows) -> str:
    """Markdown table: CMID and random init as mean ± std, and their difference vs noise."""
    lines = ['| task | metric | CMID init | random init | CMID - random |', '|---|---|---|---|---|']
    for r in rows:
        lines.append(f'| {r["task"]} | {r["metric"]} | {mean_std(r["cmid"])} | '
                     f'{mean_std(r["random"])} | {versus(r["cmid"], r["random"])} |')
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
