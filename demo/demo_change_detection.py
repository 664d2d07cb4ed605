"""Change-detection demo: BIT fine-tuned from the CMID demo backbone vs. from random init (CPU).

    python demo/demo_change_detection.py work_dirs/demo/cmid_pretrain/iter_500.pth

Data: real 10 cm NEON aerial RGB scenes shipped with the ``deepforest`` PyPI package (read from the
package folder, never imported), turned into labelled bitemporal pairs with synthetic changes:

1. Date A is a 128x128 window of a scene. Train windows come from the top 70 % of the two
   Yellowstone scenes, test windows from their bottom 30 % (no overlap).
2. Date B starts as a copy of A; 0-3 changes are pasted into it. Each change is a random shape
   (a rotated rectangle like a building, an ellipse, or a random polygon; 120-1600 px) filled
   with the pixels under the same shape at another place: a window of any scene (the OSBS / SOAP
   sites included) at least 160 px away. Of 4 candidate places the one whose colour under the
   shape differs most from A's is kept, so the change is visible. The label is the union of the
   shapes (1 = change).
3. Date B then gets an acquisition difference over the whole image, so unchanged pixels are not
   identical: per-channel gain 0.85-1.15, global gain 0.8-1.2, offset +-15, gamma 0.8-1.25, a
   slight blur half of the time; both dates get Gaussian noise (sigma 2-4).
4. Half of the pairs swap A and B (changes appear and disappear).

Both runs fine-tune BIT (ResNet-18 backbone, change pixels weighted 10x in the cross-entropy) with
configs/change_detection/bit_cmid-resnet18_1xb8-adamw-120i_neon-synthetic-cd-demo.py on the same
data, seed and budget (120 iterations of 8 pairs); only the backbone's initialisation differs:
the CMID checkpoint's ``backbone.*`` weights, or mmpretrain's default random init. Prints precision,
recall, F1, IoU (change class) and overall accuracy of each on the test pairs, and writes them to
``<work-dir>/results.md``.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys

import cv2
import numpy as np
from demo_common import (check_backbone_checkpoint, last_value, mean_std, neon_scene_paths,
                         run_train, versus)

CONFIG = 'configs/change_detection/bit_cmid-resnet18_1xb8-adamw-120i_neon-synthetic-cd-demo.py'
RANDOM_CONFIG = ('configs/change_detection/'
                 'bit_resnet18-random_1xb8-adamw-120i_neon-synthetic-cd-demo.py')
PAIR_SIZE = 128
TRAIN_FRACTION = 0.7  # of each Yellowstone scene's rows, from the top


def neon_scenes():
    """{name: BGR image} of the NEON RGB scenes shipped with deepforest."""
    scenes = {}
    for path in neon_scene_paths():
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            sys.exit(f'error: cannot read image {path}')
        scenes[osp.splitext(osp.basename(path))[0]] = img
    if not any(n.startswith('2019_YELL') for n in scenes):
        sys.exit('error: no NEON Yellowstone scene (2019_YELL_*.png) in the deepforest data')
    return scenes


def random_shape(rng, size):
    """A boolean mask with one random building-, blob- or polygon-like shape of 120-1600 px."""
    while True:
        mask = np.zeros((size, size), np.uint8)
        cy, cx = rng.integers(12, size - 12, 2)
        kind = rng.integers(3)
        if kind == 0:
            w, h = rng.integers(10, 40, 2)
            box = cv2.boxPoints(((float(cx), float(cy)), (float(w), float(h)),
                                 float(rng.uniform(0, 180))))
            cv2.fillPoly(mask, [box.astype(np.int32)], 1)
        elif kind == 1:
            axes = tuple(int(a) for a in rng.integers(6, 22, 2))
            cv2.ellipse(mask, (int(cx), int(cy)), axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
        else:
            n = rng.integers(5, 9)
            angles = np.sort(rng.uniform(0, 2 * np.pi, n))
            radii = rng.uniform(8, 24, n)
            pts = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], 1)
            cv2.fillPoly(mask, [pts.astype(np.int32)], 1)
        if 120 <= mask.sum() <= 1600:
            return mask.astype(bool)


def acquisition_difference(img, rng):
    """Date-to-date radiometric change of a whole image (float32 BGR in, float32 out)."""
    img = img * rng.uniform(0.85, 1.15, 3) * rng.uniform(0.8, 1.2) + rng.uniform(-15, 15)
    img = 255 * (np.clip(img, 0, 255) / 255)**rng.uniform(0.8, 1.25)
    if rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 0.8))
    return img


def make_pair(scene, rows, scenes, rng, size=PAIR_SIZE):
    """One (date A, date B, label) triple from a window of ``scene`` within row range ``rows``."""
    h, w = scene.shape[:2]
    y = rng.integers(rows[0], rows[1] - size + 1)
    x = rng.integers(0, w - size + 1)
    img_a = scene[y:y + size, x:x + size].astype(np.float32)
    img_b = img_a.copy()
    label = np.zeros((size, size), bool)
    names = sorted(scenes)
    for _ in range(rng.choice(4, p=[0.1, 0.4, 0.3, 0.2])):
        mask = random_shape(rng, size)
        best, best_diff = None, -1.0
        for _ in range(4):
            src = scenes[names[rng.integers(len(names))]]
            sy = rng.integers(0, src.shape[0] - size + 1)
            sx = rng.integers(0, src.shape[1] - size + 1)
            if src is scene and abs(sy - y) < 160 and abs(sx - x) < 160:
                continue
            patch = src[sy:sy + size, sx:sx + size].astype(np.float32)
            diff = float(np.abs(patch[mask].mean(0) - img_a[mask].mean(0)).sum())
            if diff > best_diff:
                best, best_diff = patch, diff
        if best is None:
            continue
        img_b[mask] = best[mask]
        label |= mask
    img_b = acquisition_difference(img_b, rng)
    img_a = img_a + rng.normal(0, rng.uniform(2, 4), img_a.shape)
    img_b = img_b + rng.normal(0, rng.uniform(2, 4), img_b.shape)
    if rng.random() < 0.5:
        img_a, img_b = img_b, img_a
    to_u8 = lambda im: np.clip(np.round(im), 0, 255).astype(np.uint8)  # noqa: E731
    return to_u8(img_a), to_u8(img_b), label.astype(np.uint8)


def write_split(out, split, num, scenes, region, rng):
    """Write ``num`` pairs to ``out/split/{A,B,label}`` (labels 0/255, the LEVIR-CD convention)."""
    for sub in ('A', 'B', 'label'):
        os.makedirs(osp.join(out, split, sub), exist_ok=True)
    yell = sorted(n for n in scenes if n.startswith('2019_YELL'))
    changed = 0
    for i in range(num):
        name = yell[i % len(yell)]
        h = scenes[name].shape[0]
        cut = int(h * TRAIN_FRACTION)
        rows = (0, cut) if region == 'top' else (cut, h)
        img_a, img_b, label = make_pair(scenes[name], rows, scenes, rng)
        cv2.imwrite(osp.join(out, split, 'A', f'{i:04d}.png'), img_a)
        cv2.imwrite(osp.join(out, split, 'B', f'{i:04d}.png'), img_b)
        cv2.imwrite(osp.join(out, split, 'label', f'{i:04d}.png'), label * 255)
        changed += int(label.sum())
    return changed / (num * PAIR_SIZE**2)


def finetune(config, data_root, work_dir, iters, checkpoint=None, seed=0):
    """tools/train.py on the demo pairs (backbone from ``checkpoint`` when given); returns the
    test metrics and the wall time."""
    warmup = max(1, min(15, iters // 8))
    options = [f'{loader}.dataset.data_root={data_root}'
               for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    options += [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
                f'default_hooks.checkpoint.interval={iters}', f'param_scheduler.0.end={warmup}',
                f'param_scheduler.1.begin={warmup}', f'param_scheduler.1.end={iters}',
                f'randomness.seed={seed}']
    if checkpoint:
        options.append(f'model.backbone.init_cfg.checkpoint={checkpoint}')
    seconds = run_train(config, work_dir, options)  # validates on the test pairs at the end
    metrics = {k: last_value(work_dir, k) for k in ('precision', 'recall', 'F1', 'IoU', 'OA')}
    metrics['time'] = seconds
    return metrics


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='CMID training checkpoint (its backbone.* keys)')
    parser.add_argument('--work-dir', default='work_dirs/demo/change_detection')
    parser.add_argument('--iters', type=int, default=120, help='fine-tuning iterations per run')
    parser.add_argument('--train-pairs', type=int, default=480)
    parser.add_argument('--test-pairs', type=int, default=96)
    parser.add_argument('--seed', type=int, default=0, help='seed of the synthetic pairs')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1],
                        help='fine-tuning seeds: each init is trained once per seed')
    args = parser.parse_args()
    if args.iters < 2:
        sys.exit(f'error: --iters must be at least 2, got {args.iters}')
    if not osp.isfile(args.checkpoint):
        sys.exit(f'error: pretrained checkpoint not found: {args.checkpoint} (run the CMID demo '
                 'first: demo/demo.sh, or pass a CMID training checkpoint)')
    import cmid_mm  # noqa: F401  registers the checkpoint safe globals
    check_backbone_checkpoint(args.checkpoint)
    args.checkpoint, args.work_dir = osp.abspath(args.checkpoint), osp.abspath(args.work_dir)

    data_root = osp.join(args.work_dir, 'data')
    scenes = neon_scenes()
    rng = np.random.default_rng(args.seed)
    frac_train = write_split(data_root, 'train', args.train_pairs, scenes, 'top', rng)
    frac_test = write_split(data_root, 'test', args.test_pairs, scenes, 'bottom', rng)
    print(f'synthetic pairs from NEON scenes {", ".join(sorted(scenes))}: '
          f'{args.train_pairs} train ({frac_train:.1%} changed px), '
          f'{args.test_pairs} test ({frac_test:.1%} changed px) in {data_root}')

    runs = {}
    for seed in args.seeds:
        for label, config, checkpoint in (('CMID (demo pretraining)', CONFIG, args.checkpoint),
                                          ('random init', RANDOM_CONFIG, None)):
            name = 'cmid' if checkpoint else 'random'
            metrics = finetune(config, data_root, osp.join(args.work_dir, name, f'seed{seed}'),
                               args.iters, checkpoint, seed)
            print(f'{label} seed {seed}: F1 {metrics["F1"]:.2f} IoU {metrics["IoU"]:.2f} '
                  f'({metrics["time"]:.0f} s)', flush=True)
            runs.setdefault(name, dict(label=label, seeds=[]))['seeds'].append(metrics)

    lines = [
        f'BIT + ResNet-18, {args.iters} iterations x 8 pairs of {PAIR_SIZE}x{PAIR_SIZE} px, '
        f'{args.test_pairs} test pairs (change class, %), mean ± std over fine-tuning seeds '
        f'{args.seeds}:', '',
        '| backbone init | precision | recall | F1 | IoU | OA | train s (each) |',
        '|---|---:|---:|---:|---:|---:|---:|'
    ]
    for run in runs.values():
        col = {k: [m[k] for m in run['seeds']] for k in run['seeds'][0]}
        lines.append(f"| {run['label']} | " + ' | '.join(
            mean_std(col[k]) for k in ('precision', 'recall', 'F1', 'IoU', 'OA')) +
            f" | {statistics.mean(col['time']):.0f} |")
    f1 = {name: [m['F1'] for m in run['seeds']] for name, run in runs.items()}
    lines += ['', f'F1, CMID - random init: {versus(f1["cmid"], f1["random"])}']
    table = '\n'.join(lines)
    print('\n' + table)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump([dict(task='change detection (NEON pairs, synthetic changes)', metric='F1 (%)',
                        seeds=args.seeds, cmid=f1['cmid'], random=f1['random'])], f, indent=1)


if __name__ == '__main__':
    main()
