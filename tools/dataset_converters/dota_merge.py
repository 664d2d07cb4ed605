"""Merge patch detections (a tools/test.py ``--out`` pickle) into DOTA Task2 (HBB) result files.

    python tools/test.py \
        configs/detection/faster-rcnn_cmid-resnet50_fpn_4xb2-1x_dotav1-hbb-1024.py \
        work_dirs/.../epoch_12.pth --out work_dirs/dota_test_patches.pkl
    python tools/dataset_converters/dota_merge.py work_dirs/dota_test_patches.pkl \
        work_dirs/dota_task2/

Patch names (``<scene>__<rate>__<x>___<y>``, written by dota_split.py) give each patch's place in
its scene; duplicates from overlapping patches are removed by class-wise NMS (mmcv). Writes one
``Task2_<class>.txt`` per class with lines ``<scene> <score> <xmin> <ymin> <xmax> <ymax>``, the
format of the DOTA evaluation server.
"""
import argparse

from cmid_mm.detection import (DOTA_V1_CLASSES, load_patch_detections, merge_patch_detections,
                               write_dota_task2)
from cmid_mm.utils import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('results', help='.pkl written by tools/test.py --out on patches')
    parser.add_argument('out_dir', help='folder for the Task2_<class>.txt files')
    parser.add_argument('--iou-thr', type=float, default=0.1, help='NMS IoU threshold')
    parser.add_argument('--classes', nargs='+', default=list(DOTA_V1_CLASSES),
                        help='class names in label order (default: DOTA v1.0)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    detections = load_patch_detections(args.results)
    try:
        merged = merge_patch_detections(detections, args.iou_thr)
    except ValueError as e:  # a file name that is not a patch name
        raise ValueError(f'{args.results}: {e}') from e
    boxes = write_dota_task2(merged, args.classes, args.out_dir)
    print(f'{len(detections)} patches -> {len(merged)} scenes, {boxes} boxes in {args.out_dir}')


if __name__ == '__main__':
    run_cli(main, user_errors=(FileNotFoundError, ValueError))
