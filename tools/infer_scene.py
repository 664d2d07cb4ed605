"""Segment (or change-detect) a whole georeferenced scene of any size into a GeoTIFF map.

    python tools/infer_scene.py CONFIG CHECKPOINT SCENE.tif --out map.tif
        [--img-b SCENE_DATE_B.tif] [--tile 512] [--overlap 128] [--margin 32] [--batch-size 4]
        [--bands 4 3 2 | B04 B03 B02] [--probs] [--preview map.png] [--device cpu]

Works with mmseg segmentors (and change-detection models built on them: with ``--img-b``, the
two dates are stacked as date A bands then date B bands, ``(B, 2C, H, W)``). The scene is read
exactly as the config's image loading transform reads a file (``RasterReader``: the first loader
of the test pipeline, inside ``LoadImagePairFromFile`` too): ``LoadImageFromFile`` /
``CheckedLoadImageFromFile`` give an RGB scene as B, G, R, as OpenCV does;
``LoadRSImageFromFile`` gives its band selection, scaling and nodata mask (a ``'percentile'``
stretch is computed once for the whole scene). A loader or an image it cannot mirror exactly is
an error naming the transform and the fix. The scene is then cut into ``--tile`` tiles that
overlap by ``--overlap`` pixels, run in batches through the model's data preprocessor and
``inference``, and the class probabilities of overlapping tiles are blended with weights that are
0 within ``--margin`` pixels of a tile edge inside the scene (where zero padding distorts the
prediction), rise as sin^2 over the rest of the overlap, and are 1 elsewhere. A fully
convolutional model whose receptive field reaches at most ``--margin`` pixels therefore gives the
same map as on the whole scene at once.

Bounded memory: the scene is processed in strips of one tile row; only one strip of input and of
blended probabilities is held, finished rows are written at once (windowed rasterio reads and
writes; PNG / JPEG scenes, which have no windowed access, are decoded whole by the loader).
Tiles that are all nodata are skipped.

Writes ``--out``: a uint8 class map GeoTIFF with the input's CRS and geotransform, 255 = nodata,
a colour table and the class names as tags; ``--probs``: ``<out>_probs.tif`` float32 class
probabilities (NaN = nodata); and a PNG preview (``--preview``, default ``<out>.png``).
"""
import argparse
import os
import os.path as osp
import sys

import cv2
import numpy as np
import rasterio
import torch
from mmengine.config import DictAction
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar
from rasterio.enums import Resampling
from rasterio.windows import Window

import cmid_mm  # noqa: F401  registers the transforms and the checkpoint safe globals
from cmid_mm.datasets.transforms import RasterReader, find_image_loader
from cmid_mm.checkpoint import CheckpointError, check_fit, read_checkpoint
from cmid_mm.utils import CLIError, load_config, run_cli

NODATA_CLASS = 255


def tile_starts(length: int, tile: int, stride: int):
    """Tile start offsets covering ``[0, length)``; the last tile is moved back to end there."""
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile, stride))
    return starts + [length - tile]


def edge_weights(length: int, at_start: bool, at_end: bool, overlap: int, margin: int):
    """1-D blending weight of a tile side of ``length`` px; ``at_start/at_end``: that end is the
    scene border (full weight, no neighbour there)."""
    ramp = overlap - 2 * margin

    def from_edge(d):
        w = np.ones(len(d), np.float32)
        w[d < margin] = 0.
        r = (d >= margin) & (d < margin + ramp)
        w[r] = np.sin(0.5 * np.pi * (d[r] - margin + 1) / (ramp + 1))**2
        return w

    d = np.arange(length)
    w = np.ones(length, np.float32)
    if not at_start:
        w *= from_edge(d)
    if not at_end:
        w *= from_edge(length - 1 - d)
    return w


def find_reader(cfg, bands=None):
    """A :class:`RasterReader` for the config's image loading transform: the first one of the
    test pipeline (``test_dataloader``, else ``val_dataloader``, else ``test_pipeline``), a pair
    loader's ``loader`` unwrapped. ``bands`` overrides its band selection (``--bands``)."""
    pipelines = [(cfg.get(key) or {}).get('dataset', {}).get('pipeline')
                 for key in ('test_dataloader', 'val_dataloader')] + [cfg.get('test_pipeline')]
    for pipeline in pipelines:
        loader = find_image_loader(pipeline or [])
        if loader is not None:
            return RasterReader(loader, bands)
    raise CLIError('the config has no image loading transform in test_dataloader / '
                   'val_dataloader / test_pipeline, so how the model expects its input is unknown; '
                   "add one, e.g. dict(type='LoadRSImageFromFile', ...)")


def build_model(cfg, checkpoint, device):
    from mmseg.registry import MODELS
    # init_weights() is not called: the checkpoint holds every weight, so init_cfg checkpoints
    # (possibly remote) are never read.
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    try:
        ckpt = read_checkpoint(checkpoint)
    except CheckpointError as e:
        raise CLIError(str(e)) from None
    state = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in ckpt.get('state_dict', ckpt).items()}
    # Every weight of the model must come from the checkpoint: a misfit is one error line, not
    # a map from random weights.
    check_fit(model, state, source=f'checkpoint {checkpoint}', what='model',
              opt_out=None)
    model.load_state_dict(state, strict=False)
    if not hasattr(model, 'inference'):
        raise CLIError(f'{type(model).__name__} has no inference(inputs, batch_img_metas); '
                       'infer_scene.py needs an mmseg segmentor (EncoderDecoder or a subclass)')
    meta = ckpt.get('meta', {}).get('dataset_meta') or {}
    return model.to(device).eval(), meta


class SceneReader:
    """Row strips of one scene, or of two co-registered dates stacked along bands, each read as
    the config's loading transform reads a file (:class:`RasterReader`)."""

    def __init__(self, reader, path_a, path_b=None):
        self.paths = [path_a] + ([path_b] if path_b else [])
        self.srcs = []
        try:
            for path in self.paths:
                self.srcs.append(reader.open(path))
        except BaseException:
            self.close()
            raise
        a = self.srcs[0]
        if path_b:
            b = self.srcs[1]
            if (a.width, a.height) != (b.width, b.height) or a.crs != b.crs \
                    or not a.transform.almost_equals(b.transform):
                self.close()
                raise CLIError(
                    f'the two dates must share size, CRS and geotransform: {path_a} is '
                    f'{a.width}x{a.height} {a.crs} {tuple(a.transform)[:6]}, {path_b} is '
                    f'{b.width}x{b.height} {b.crs} {tuple(b.transform)[:6]}')
        self.width, self.height, self.crs, self.transform = a.width, a.height, a.crs, a.transform

    def read(self, top, rows):
        window = Window(0, top, self.width, rows)
        parts = [src.read(window) for src in self.srcs]
        img = np.concatenate([p[0] for p in parts], axis=-1)
        return img, np.any([p[1] for p in parts], axis=0)

    def close(self):
        for src in self.srcs:
            src.close()


@torch.no_grad()
def predict_tiles(model, tiles, device):
    """Class probabilities (B, K, h, w) of a list of (h, w, C) tiles of one size."""
    from mmseg.structures import SegDataSample
    h, w = tiles[0].shape[:2]
    inputs = [torch.from_numpy(np.ascontiguousarray(t.transpose(2, 0, 1))) for t in tiles]
    samples = [SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w)))
               for _ in tiles]
    try:
        data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), False)
        x = data['inputs'].to(device)
        metas = [dict(img_shape=tuple(x.shape[-2:]), ori_shape=tuple(x.shape[-2:]),
                      pad_shape=tuple(x.shape[-2:]))] * len(tiles)
        logits = model.inference(x, metas)[..., :h, :w]
    except RuntimeError as e:
        raise CLIError(f'the model failed on a batch of {len(tiles)} tiles of '
                       f'{tuple(inputs[0].shape)} ({e}); check the band count (--bands, the '
                       "config's loading transform) against the model's in_channels and the "
                       'data preprocessor\'s mean/std') from None
    if logits.shape[1] == 1:  # binary head with a sigmoid: probabilities of (background, fg)
        p = logits.sigmoid()
        return torch.cat([1 - p, p], dim=1).float().cpu().numpy()
    return logits.softmax(dim=1).float().cpu().numpy()


def count_classes(model, reader, th, tw, device):
    """Number of output classes: the segmentor's ``out_channels`` (a 1-channel sigmoid head gives
    2), else what the model returns for a zero tile."""
    n = getattr(model, 'out_channels', None)
    if n is None:
        img, _ = reader.read(0, th)
        n = predict_tiles(model, [np.zeros_like(img[:, :tw])], device).shape[1]
    return 2 if n == 1 else int(n)


def palette_for(meta, n):
    palette = meta.get('palette')
    if palette and len(palette) >= n:
        return np.asarray(palette[:n], np.uint8)
    rng = np.random.default_rng(0)  # fixed colours when the checkpoint has no palette
    return rng.integers(0, 256, (n, 3), dtype=np.uint8)


def write_preview(path_map, path_png, palette, max_size):
    with rasterio.open(path_map) as src:
        f = max(1, int(np.ceil(max(src.width, src.height) / max_size)))
        shape = (max(1, src.height // f), max(1, src.width // f))
        cls = src.read(1, out_shape=shape, resampling=Resampling.nearest)
    rgb = np.zeros((*cls.shape, 3), np.uint8)  # nodata stays black
    valid = cls < len(palette)
    rgb[valid] = palette[cls[valid]]
    cv2.imwrite(path_png, rgb[..., ::-1])


def infer_scene(model, reader, out_path, tile, overlap, margin, batch_size, device,
                write_probs=False, dataset_meta=None):
    """Tile, predict, blend and write; returns the number of classes. See the module docstring."""
    dataset_meta = dataset_meta or {}
    H, W = reader.height, reader.width
    th, tw = min(tile, H), min(tile, W)
    stride = tile - overlap
    ys, xs = tile_starts(H, tile, stride), tile_starts(W, tile, stride)
    wx = [edge_weights(tw, x == 0, x + tw == W, overlap, margin) for x in xs]
    bar = ProgressBar(len(ys) * len(xs), file=sys.stderr)

    n_classes = count_classes(model, reader, th, tw, device)
    probs_buf = np.zeros((th, W, n_classes), np.float32)  # blended rows [buf_top, buf_top + th)
    wsum = np.zeros((th, W), np.float32)
    mask_buf = np.zeros((th, W), bool)
    buf_top, predicted = 0, 0
    profile = dict(driver='GTiff', width=W, height=H, crs=reader.crs, transform=reader.transform,
                   compress='deflate')
    if H >= 256 and W >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    dst, dst_p = open_outputs(out_path, profile, n_classes, write_probs, dataset_meta)
    try:
        for y in ys:
            if y > buf_top:  # rows above y are final: write them, slide the buffers to row y
                shift = y - buf_top
                flush_rows(dst, dst_p, probs_buf, wsum, mask_buf, buf_top, shift)
                for buf in (probs_buf, wsum):
                    buf[:th - shift] = buf[shift:].copy()
                    buf[th - shift:] = 0
            buf_top = y
            img, mask_buf = reader.read(y, th)
            wy = edge_weights(th, y == 0, y + th == H, overlap, margin)
            todo = [(x, wxi) for x, wxi in zip(xs, wx) if not mask_buf[:, x:x + tw].all()]
            if len(todo) < len(xs):  # all-nodata tiles are skipped
                bar.update(len(xs) - len(todo))
            for b in range(0, len(todo), batch_size):
                batch = todo[b:b + batch_size]
                probs = predict_tiles(model, [img[:, x:x + tw] for x, _ in batch], device)
                for (x, wxi), p in zip(batch, probs):
                    weight = wy[:, None] * wxi[None, :]
                    probs_buf[:, x:x + tw] += p.transpose(1, 2, 0) * weight[..., None]
                    wsum[:, x:x + tw] += weight
                predicted += len(batch)
                bar.update(len(batch))
        flush_rows(dst, dst_p, probs_buf, wsum, mask_buf, buf_top, H - buf_top)
    finally:
        dst.close()
        if dst_p is not None:
            dst_p.close()
    if not predicted:
        raise CLIError(f'{reader.paths[0]}: every pixel is nodata, nothing to predict')
    sys.stderr.write('\n')
    return n_classes


def open_outputs(out_path, profile, n_classes, write_probs, dataset_meta):
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    dst = rasterio.open(out_path, 'w', count=1, dtype='uint8', nodata=NODATA_CLASS, **profile)
    palette = palette_for(dataset_meta, n_classes)
    dst.write_colormap(1, {i: tuple(int(v) for v in c) for i, c in enumerate(palette)})
    classes = dataset_meta.get('classes')
    if classes:
        dst.update_tags(classes=','.join(map(str, classes)))
    dst_p = None
    if write_probs:
        dst_p = rasterio.open(probs_path(out_path), 'w', count=n_classes, dtype='float32',
                              nodata=float('nan'), **profile)
    return dst, dst_p


def probs_path(out_path):
    return osp.splitext(out_path)[0] + '_probs.tif'


def flush_rows(dst, dst_p, probs_buf, wsum, mask_buf, top, rows):
    """Write the finished rows ``[top, top + rows)`` (the first ``rows`` of the buffers)."""
    if rows <= 0:
        return
    w = wsum[:rows]
    covered = w > 0
    probs = probs_buf[:rows] / np.where(covered, w, 1.)[..., None]
    cls = probs.argmax(-1).astype(np.uint8)
    invalid = ~covered | mask_buf[:rows]
    cls[invalid] = NODATA_CLASS
    window = Window(0, top, probs_buf.shape[1], rows)
    dst.write(cls[None], window=window)
    if dst_p is not None:
        probs[invalid] = np.nan
        dst_p.write(probs.transpose(2, 0, 1), window=window)


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
    parser.add_argument('--probs', action='store_true', help='also write <out>_probs.tif')
    parser.add_argument('--preview', help='PNG preview path (default <out>.png)')
    parser.add_argument('--preview-size', type=int, default=1024)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    margin = args.overlap // 4 if args.margin is None else args.margin
    if args.tile <= 0 or not 0 <= args.overlap < args.tile:
        raise CLIError(f'need 0 <= --overlap < --tile, got tile={args.tile}, '
                       f'overlap={args.overlap}')
    if margin < 0 or 2 * margin > args.overlap:
        raise CLIError(f'need 0 <= 2 * --margin <= --overlap, got margin={margin}, '
                       f'overlap={args.overlap}')
    if args.batch_size < 1:
        raise CLIError(f'--batch-size must be >= 1, got {args.batch_size}')
    cfg = load_config(args.config, args.cfg_options)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    bands = None if not args.bands else [int(b) if b.isdigit() else b for b in args.bands]
    try:
        raster_reader = find_reader(cfg, bands)
    except ValueError as e:  # names the transform and the fix
        raise CLIError(str(e)) from None
    model, meta = build_model(cfg, args.checkpoint, args.device)
    try:
        reader = SceneReader(raster_reader, args.img, args.img_b)
    except (OSError, ValueError) as e:  # reader errors name the file (and the transform)
        if isinstance(e, CLIError):
            raise
        raise CLIError(str(e)) from None
    try:
        n_classes = infer_scene(model, reader, args.out, args.tile, args.overlap, margin,
                                args.batch_size, args.device, args.probs, meta)
    except (OSError, ValueError) as e:
        if isinstance(e, CLIError):
            raise
        raise CLIError(str(e)) from None
    finally:
        reader.close()
    preview = args.preview or osp.splitext(args.out)[0] + '.png'
    write_preview(args.out, preview, palette_for(meta, n_classes), args.preview_size)
    print(f'{reader.width}x{reader.height} px, {n_classes} classes -> {args.out}'
          + (f', {probs_path(args.out)}' if args.probs else '') + f', preview {preview}')
    return args.out


if __name__ == '__main__':
    run_cli(main)
