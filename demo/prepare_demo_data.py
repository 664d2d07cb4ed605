"""Tile the real NEON aerial RGB images shipped with the ``deepforest`` PyPI package for the demo.

deepforest ships 10 cm RGB orthophoto crops of NEON sites (OSBS, SOAP, YELL). They are cut
into non-overlapping square tiles, one sub-folder per scene (MillionAID-like layout) under
``<out>/tiles``. Only the package's files are read (it is installed with --no-deps).

    python demo/prepare_demo_data.py --out data/neon_demo --tile 256
"""
import argparse
import os
import os.path as osp
import sys

import cv2
from demo_common import neon_scene_paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/neon_demo')
    parser.add_argument('--tile', type=int, default=256, help='tile size in pixels')
    args = parser.parse_args()

    total = 0
    for path in neon_scene_paths():
        name = osp.splitext(osp.basename(path))[0]
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            sys.exit(f'error: cannot read image {path}')
        out_dir = osp.join(args.out, 'tiles', name)
        os.makedirs(out_dir, exist_ok=True)
        h, w = img.shape[:2]
        t = args.tile
        n = 0
        for r in range(0, h - t + 1, t):
            for c in range(0, w - t + 1, t):
                dst = osp.join(out_dir, f'{name}_r{r}_c{c}.png')
                if not osp.exists(dst):
                    tmp = dst + '.tmp.png'
                    cv2.imwrite(tmp, img[r:r + t, c:c + t])
                    os.replace(tmp, dst)  # atomic: an interrupted run leaves no half tile
                n += 1
        print(f'{name}: {w}x{h} px -> {n} tiles of {t}x{t}')
        total += n
    print(f'{total} tiles in {osp.join(args.out, "tiles")}')


if __name__ == '__main__':
    main()
