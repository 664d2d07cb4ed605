"""Segment (or change-detect) a whole georeferenced scene of any size into a GeoTIFF map.

    python tools/infer_scene.py CONFIG CHECKPOINT SCENE.tif --out map.tif
        [--img-b SCENE_DATE_B.tif] [--tile 512] [--overlap 128] [--margin 32] [--batch-size 4]
        [--bands 4 3 2 | B04 B03 B02] [--scale-factor 2] [--probs] [--preview map.png]

A command line over :class:`cmid_mm.apis.SceneInferencer` (how the scene is read, tiled and
blended): writes ``--out`` (uint8 classes, 255 = nodata, the input's CRS and geotransform),
``<out>_probs.tif`` with ``--probs`` and a PNG preview (default ``<out>.png``).
"""
import argparse
import os.path as osp

from cmid_mm.apis import SceneInferencer
from cmid_mm.utils import add_cfg_options_arg, run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('img', help='the scene (any GDAL raster); date A for change detection')
    parser.add_argument('--img-b', help='change detection: the date-B scene (same grid)')
    parser.add_argument('--out', required=True, help='output class map GeoTIFF')
    parser.add_argument('--tile', type=int, default=512)
    parser.add_argument('--overlap', type=int, default=128)
    parser.add_argument('--margin', type=int, help='pixels ignored at inner tile edges '
                        '(default overlap // 4)')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--bands', nargs='+', help="override the loader's band selection: 1-based "
                        'indices or names (LoadRSImageFromFile); for LoadImageFromFile, the '
                        'bands that stand for the file, e.g. 1 2 3 = R, G, B')
    parser.add_argument('--scale-factor', type=float, help='the factor the test pipeline '
                        "resized the model's images by, when it resizes to a fixed size")
    parser.add_argument('--probs', action='store_true', help='also write <out>_probs.tif')
    parser.add_argument('--preview', help='PNG preview path (default <out>.png)')
    parser.add_argument('--preview-size', type=int, default=1024)
    parser.add_argument('--device', help='default: cuda when available, else cpu')
    return add_cfg_options_arg(parser).parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    bands = None if not args.bands else [int(b) if b.isdigit() else b for b in args.bands]
    inferencer = SceneInferencer(args.config, args.checkpoint, args.device, bands, args.tile,
                                 args.overlap, args.margin, args.batch_size, args.scale_factor,
                                 args.cfg_options)
    preview = args.preview or osp.splitext(args.out)[0] + '.png'
    done = inferencer.write(args.img, args.out, args.img_b, args.probs, preview,
                            args.preview_size)
    *maps, png = done['files']
    print(f"{done['width']}x{done['height']} px, {done['num_classes']} classes -> "
          f"{', '.join(maps)}, preview {png}")


if __name__ == '__main__':
    run_cli(main, user_errors=(ValueError, FileNotFoundError))
