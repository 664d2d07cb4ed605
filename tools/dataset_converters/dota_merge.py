"""Merge patch detections (a tools/test.py ``--out`` pickle) into DOTA Task2 (HBB) result files.

    python tools/test.py configs/detection/faster-rcnn_cmid-r50_fpn_4xb2-1x_dotav1-hbb.py \
        work_dirs/.../epoch_12.pth --out work_dirs/dota_test_patches.pkl
    python tools/dataset_converters/dota_merge.py work_dirs/dota_test_patches.pkl \
        work_dirs/dota_task2/

Patch names (``<scene>__<rate>__<x>___<y>``, written by dota_split.py) give each patch's place in
its scene; duplicates from overlapping patches are removed by class-wise NMS (mmcv). Writes one
``Task2_<class>.txt`` per class with lines ``<scene> <score> <xmin> <ymin> <xmax> <ymax>``, the
format of the DOTA evaluation server.
"""
import argparse
import os
import os.path as osp
import pickle

import numpy as np
from cmid_mm.detection import DOTA_V1_CLASSES, merge_patch_detections
from cmid_mm.utils import CLIError, run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('results', help='.pkl written by tools/test.py --out on patches')
    parser.add_argument('out_dir', help='folder for the Task2_<class>.txt files')
    parser.add_argument('--iou-thr', type=float, default=0.1, help='NMS IoU threshold')
    parser.add_argument('--classes', nargs='+', default=list(DOTA_V1_CLASSES),
                        help='class names in label order (default: DOTA v1.0)')
    return parser.parse_args(argv)


def load_patch_detections(path):
    """``{patch name: (bboxes, scores, labels)}`` from a pickled list of mmdet data samples."""
    if not osp.isfile(path):
        raise CLIError(f'results file not found: {path}')
    with open(path, 'rb') as f:
        samples = pickle.load(f)
    detections = {}
    for i, sample in enumerate(samples):
        if 'img_path' not in sample or 'pred_instances' not in sample:
            raise CLIError(f'{path}: item {i} has no img_path / pred_instances; expected the '
                           'pickle of tools/test.py --out on a detection config')
        pred = sample['pred_instances']
        name = osp.splitext(osp.basename(sample['img_path']))[0]
        detections[name] = tuple(np.asarray(pred[k]) for k in ('bboxes', 'scores', 'labels'))
    return detections


def main(argv=None):
    args = parse_args(argv)
    detections = load_patch_detections(args.results)
    try:
        merged = merge_patch_detections(detections, args.iou_thr)
    except ValueError as e:  # a file name that is not a patch name
        raise CLIError(f'{args.results}: {e}') from e
    os.makedirs(args.out_dir, exist_ok=True)
    lines = {c: [] for c in args.classes}
    for scene, (bboxes, scores, labels) in sorted(merged.items()):
        for box, score, label in zip(bboxes, scores, labels):
            if label >= len(args.classes):
                raise CLIError(f'label {label} has no name in --classes ({len(args.classes)})')
            x1, y1, x2, y2 = box
            lines[args.classes[label]].append(
                f'{scene} {score:.4f} {x1:.1f} {y1:.1f} {x2:.1f} {y2:.1f}\n')
    for cls, rows in lines.items():
        with open(osp.join(args.out_dir, f'Task2_{cls}.txt'), 'w') as f:
            f.writelines(rows)
    print(f'{len(detections)} patches -> {len(merged)} scenes, '
          f'{sum(map(len, lines.values()))} boxes in {args.out_dir}')


if __name__ == '__main__':
    run_cli(main)
