"""Segment (or change-detect) a whole georeferenced scene of any size into a GeoTIFF map.

Works with mmseg segmentors (and change-detection models built on them: with a date-B scene, the
two dates are stacked as date A bands then date B bands, ``(B, 2C, H, W)``). The scene is read
exactly as the config's image loading transform reads a file (``RasterReader``: the first loader
of the test pipeline, inside ``LoadImagePairFromFile`` too): ``LoadImageFromFile`` /
``CheckedLoadImageFromFile`` give an RGB scene as B, G, R, as OpenCV does;
``LoadRSImageFromFile`` gives its band selection, scaling and nodata mask (a ``'percentile'``
stretch is computed once for the whole scene). A loader or an image it cannot mirror exactly is
an error naming the transform and the fix. A ``Resize`` of the test pipeline is mirrored: a fixed
``scale_factor`` is applied to every tile (and the class scores resized back, as mmseg does);
a ``Resize`` to a fixed ``scale`` depends on the size of the images it was given, so the factor
must be passed (``scale_factor``). The scene is then cut into ``tile`` px tiles that overlap by
``overlap`` px (:func:`cmid_mm.utils.tiling.window_starts`), run in batches through the model's
data preprocessor and ``inference``, and the class probabilities of overlapping tiles are blended
with weights that are 0 within ``margin`` px of a tile edge inside the scene (where zero padding
distorts the prediction), rise as sin^2 over the rest of the overlap, and are 1 elsewhere. A
fully convolutional model whose receptive field reaches at most ``margin`` px therefore gives the
same map as on the whole scene at once.

Bounded memory: the scene is processed in strips of one tile row; only one strip of input and of
blended probabilities is held, finished rows are written at once (windowed rasterio reads and
writes; PNG / JPEG scenes, which have no windowed access, are decoded whole by the loader).
Tiles that are all nodata are skipped.

:meth:`SceneInferencer.write` writes a uint8 class map GeoTIFF with the input's CRS and
geotransform, 255 = nodata, a colour table and the class names as tags; with ``probs``,
``<out>_probs.tif`` float32 class probabilities (NaN = nodata); with ``preview``, a PNG.
:meth:`SceneInferencer.predict` returns the map and probabilities as arrays (small scenes).
"""
import os
import os.path as osp
import sys
from typing import Optional, Sequence, Union

import cv2
import numpy as np
import rasterio
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar
from rasterio.enums import Resampling
from rasterio.windows import Window

from ..checkpoint import check_fit, read_checkpoint
from ..datasets.transforms.raster_reader import RasterReader, find_image_loader
from ..utils import check_cfg_options, load_config
from ..utils.tiling import window_starts

NODATA_CLASS = 255
# test-pipeline transforms that change the image size (mmcv's / mmseg's names)
RESIZES = ('Resize', 'RandomResize', 'RandomChoiceResize', 'ResizeShortestEdge',
           'ResizeToMultiple')


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


def _test_pipelines(cfg):
    return [(cfg.get(key) or {}).get('dataset', {}).get('pipeline')
            for key in ('test_dataloader', 'val_dataloader')] + [cfg.get('test_pipeline')]


def find_reader(cfg, bands=None):
    """A :class:`RasterReader` for the config's image loading transform: the first one of the
    test pipeline (``test_dataloader``, else ``val_dataloader``, else ``test_pipeline``), a pair
    loader's ``loader`` unwrapped. ``bands`` overrides its band selection."""
    for pipeline in _test_pipelines(cfg):
        loader = find_image_loader(pipeline or [])
        if loader is not None:
            return RasterReader(loader, bands)
    raise ValueError('the config has no image loading transform in test_dataloader / '
                     'val_dataloader / test_pipeline, so how the model expects its input is '
                     "unknown; add one, e.g. dict(type='LoadRSImageFromFile', ...)")


def pipeline_scale_factor(cfg, scale_factor=None):
    """The factor the test pipeline resizes images by: its ``Resize(scale_factor=f)``, else
    ``scale_factor`` (which a ``Resize`` to a fixed ``scale`` needs: its factor depends on the
    size of the images it was given); 1 without a resize."""
    pipeline = next((p for p in _test_pipelines(cfg) if find_image_loader(p or [])), [])
    resizes = [t for t in pipeline if isinstance(t, dict)
               and str(t.get('type', '')).split('.')[-1] in RESIZES]
    if not resizes:
        return 1. if scale_factor is None else float(scale_factor)
    resize = resizes[0]
    fixed = resize.get('scale_factor')
    if len(resizes) == 1 and str(resize['type']).split('.')[-1] == 'Resize' and \
            isinstance(fixed, (int, float)) and resize.get('scale') is None:
        if scale_factor is not None and float(scale_factor) != float(fixed):
            raise ValueError(f'the test pipeline resizes by scale_factor={fixed}, so a scale '
                             f'factor of {scale_factor} would not match it; drop it')
        return float(fixed)
    if scale_factor is None:
        args = ', '.join(f'{k}={v!r}' for k, v in resize.items() if k != 'type')
        raise ValueError(f'the test pipeline resizes its images ({resize["type"]}({args})), by a '
                         'factor that depends on their size: give the factor it applied to the '
                         'images the model was trained and tested on (--scale-factor, e.g. 2 '
                         'for 64 px tiles resized to 128), so the scene is seen at that scale')
    return float(scale_factor)


def build_model(cfg, checkpoint, device):
    """The config's segmentor in eval mode with every weight from ``checkpoint`` (read by the
    one checkpoint loader, checked strictly), and the checkpoint's ``dataset_meta``."""
    from mmseg.registry import MODELS
    # init_weights() is not called: the checkpoint holds every weight, so init_cfg checkpoints
    # (possibly remote) are never read.
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    ckpt = read_checkpoint(checkpoint)
    state = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in ckpt.get('state_dict', ckpt).items()}
    # Every weight of the model must come from the checkpoint: a misfit is one error line, not
    # a map from random weights.
    check_fit(model, state, source=f'checkpoint {checkpoint}', what='model', opt_out=None)
    model.load_state_dict(state, strict=False)
    if not hasattr(model, 'inference'):
        raise ValueError(f'{type(model).__name__} has no inference(inputs, batch_img_metas); '
                         'scene inference needs an mmseg segmentor (EncoderDecoder or a '
                         'subclass)')
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
                raise ValueError(
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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


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


def probs_path(out_path):
    return osp.splitext(out_path)[0] + '_probs.tif'


class SceneInferencer:
    """Tiled, blended inference of an mmseg segmentor on whole scenes (see the module docstring).

    Args:
        config (str | Config): the model's config (its test pipeline's loader reads the scene).
        checkpoint (str): weights; every weight of the model must load from it.
        device (str): Defaults to CUDA when available.
        bands: overrides the loader's band selection (see :class:`RasterReader`).
        tile, overlap (int): tile size and overlap of neighbouring tiles, in scene px.
        margin (int): px ignored at inner tile edges (default ``overlap // 4``).
        batch_size (int): tiles per forward pass.
        scale_factor (float): the test pipeline's resize factor, when it resizes to a fixed size.
        cfg_options (dict): overrides of the config (checked keys).

    Raises:
        ValueError: bad tiling arguments, a config whose input cannot be mirrored, or an unusable
            checkpoint (:class:`cmid_mm.checkpoint.CheckpointError`); one line naming the fix.
    """

    def __init__(self, config: Union[str, Config], checkpoint: str, device: Optional[str] = None,
                 bands: Optional[Sequence[Union[int, str]]] = None, tile: int = 512,
                 overlap: int = 128, margin: Optional[int] = None, batch_size: int = 4,
                 scale_factor: Optional[float] = None, cfg_options: Optional[dict] = None):
        margin = overlap // 4 if margin is None else margin
        if tile <= 0 or not 0 <= overlap < tile:
            raise ValueError(f'need 0 <= overlap < tile, got tile={tile}, overlap={overlap}')
        if margin < 0 or 2 * margin > overlap:
            raise ValueError(f'need 0 <= 2 * margin <= overlap, got margin={margin}, '
                             f'overlap={overlap}')
        if batch_size < 1:
            raise ValueError(f'batch size must be >= 1, got {batch_size}')
        if scale_factor is not None and scale_factor <= 0:
            raise ValueError(f'scale factor must be > 0, got {scale_factor}')
        if isinstance(config, Config):
            cfg = config.copy()
            if cfg_options:
                check_cfg_options(cfg, cfg_options)
                cfg.merge_from_dict(cfg_options)
        else:
            cfg = load_config(config, cfg_options, merge=True)
        self.tile, self.overlap, self.margin, self.batch_size = tile, overlap, margin, batch_size
        self.device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
        self.reader = find_reader(cfg, bands)
        self.scale_factor = pipeline_scale_factor(cfg, scale_factor)
        self.model, self.dataset_meta = build_model(cfg, checkpoint, self.device)

    # ------------------------------------------------------------------ public API
    def predict(self, img: str, img_b: Optional[str] = None, progress: bool = False):
        """``(class map (H, W) uint8, 255 = nodata; probabilities (K, H, W) float32, NaN =
        nodata)`` of a scene (two dates with ``img_b``), held in memory."""
        with SceneReader(self.reader, img, img_b) as scene:
            n = self.count_classes(scene)
            cls = np.empty((scene.height, scene.width), np.uint8)
            probs = np.empty((n, scene.height, scene.width), np.float32)

            def emit(top, c, p):
                cls[top:top + len(c)] = c
                probs[:, top:top + len(c)] = p.transpose(2, 0, 1)

            self._run(scene, n, emit, progress)
        return cls, probs

    def write(self, img: str, out: str, img_b: Optional[str] = None, probs: bool = False,
              preview: Optional[str] = None, preview_size: int = 1024,
              progress: bool = True) -> dict:
        """Write the class map GeoTIFF ``out`` (and ``<out>_probs.tif`` with ``probs``, a PNG
        ``preview``); returns ``width``, ``height``, ``num_classes`` and the written ``files``."""
        with SceneReader(self.reader, img, img_b) as scene:
            n = self.count_classes(scene)
            profile = dict(driver='GTiff', width=scene.width, height=scene.height,
                           crs=scene.crs, transform=scene.transform, compress='deflate')
            if scene.height >= 256 and scene.width >= 256:
                profile.update(tiled=True, blockxsize=256, blockysize=256)
            files = [out] + ([probs_path(out)] if probs else [])
            os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
            with rasterio.open(out, 'w', count=1, dtype='uint8', nodata=NODATA_CLASS,
                               **profile) as dst:
                palette = palette_for(self.dataset_meta, n)
                dst.write_colormap(1, {i: tuple(int(v) for v in c) for i, c in enumerate(palette)})
                classes = self.dataset_meta.get('classes')
                if classes:
                    dst.update_tags(classes=','.join(map(str, classes)))
                dst_p = rasterio.open(files[1], 'w', count=n, dtype='float32',
                                      nodata=float('nan'), **profile) if probs else None
                try:
                    def emit(top, c, p):
                        window = Window(0, top, scene.width, len(c))
                        dst.write(c[None], window=window)
                        if dst_p is not None:
                            dst_p.write(p.transpose(2, 0, 1), window=window)

                    self._run(scene, n, emit, progress)
                finally:
                    if dst_p is not None:
                        dst_p.close()
        if preview:
            write_preview(out, preview, palette, preview_size)
            files.append(preview)
        return dict(width=scene.width, height=scene.height, num_classes=n, files=files)

    # ------------------------------------------------------------------ internals
    @torch.no_grad()
    def predict_tiles(self, tiles):
        """Class probabilities (B, K, h, w) of a list of (h, w, C) tiles of one size."""
        from mmseg.structures import SegDataSample
        h, w = tiles[0].shape[:2]
        if self.scale_factor != 1:  # as mmcv's Resize (cv2 bilinear, rounded size)
            size = (int(w * self.scale_factor + 0.5), int(h * self.scale_factor + 0.5))
            tiles = [cv2.resize(t, size, interpolation=cv2.INTER_LINEAR).reshape(
                size[1], size[0], -1) for t in tiles]
        inputs = [torch.from_numpy(np.ascontiguousarray(t.transpose(2, 0, 1))) for t in tiles]
        sh, sw = tiles[0].shape[:2]
        samples = [SegDataSample(metainfo=dict(img_shape=(sh, sw), ori_shape=(sh, sw)))
                   for _ in tiles]
        try:
            data = self.model.data_preprocessor(dict(inputs=inputs, data_samples=samples), False)
            x = data['inputs'].to(self.device)
            metas = [dict(img_shape=tuple(x.shape[-2:]), ori_shape=tuple(x.shape[-2:]),
                          pad_shape=tuple(x.shape[-2:]))] * len(tiles)
            logits = self.model.inference(x, metas)[..., :sh, :sw]
        except RuntimeError as e:
            raise ValueError(f'the model failed on a batch of {len(tiles)} tiles of '
                             f'{tuple(inputs[0].shape)} ({e}); check the band count (--bands, '
                             "the config's loading transform) against the model's in_channels "
                             "and the data preprocessor's mean/std") from None
        if (sh, sw) != (h, w):  # back to the scene's pixels, as mmseg's postprocess_result
            logits = F.interpolate(logits, (h, w), mode='bilinear',
                                   align_corners=getattr(self.model, 'align_corners', False))
        if logits.shape[1] == 1:  # binary head with a sigmoid: probabilities of (background, fg)
            p = logits.sigmoid()
            return torch.cat([1 - p, p], dim=1).float().cpu().numpy()
        return logits.softmax(dim=1).float().cpu().numpy()

    def count_classes(self, scene):
        """Number of output classes: the segmentor's ``out_channels`` (a 1-channel sigmoid head
        gives 2), else what the model returns for a zero tile."""
        n = getattr(self.model, 'out_channels', None)
        if n is None:
            img, _ = scene.read(0, min(self.tile, scene.height))
            n = self.predict_tiles([np.zeros_like(img[:, :min(self.tile, scene.width)])]).shape[1]
        return 2 if n == 1 else int(n)

    def _run(self, scene, n_classes, emit, progress):
        """Tile, predict and blend; ``emit(top, classes (rows, W), probs (rows, W, K))`` gets
        each strip of finished rows, top to bottom."""
        H, W = scene.height, scene.width
        tile, overlap, margin = self.tile, self.overlap, self.margin
        th, tw = min(tile, H), min(tile, W)
        ys, xs = window_starts(H, tile, overlap), window_starts(W, tile, overlap)
        wx = [edge_weights(tw, x == 0, x + tw == W, overlap, margin) for x in xs]
        bar = ProgressBar(len(ys) * len(xs), file=sys.stderr) if progress else None

        probs_buf = np.zeros((th, W, n_classes), np.float32)  # blended rows [buf_top, +th)
        wsum = np.zeros((th, W), np.float32)
        mask_buf = np.zeros((th, W), bool)
        buf_top, predicted = 0, 0

        def flush(rows):
            """Emit the finished rows ``[buf_top, buf_top + rows)`` (the buffers' first)."""
            if rows <= 0:
                return
            w = wsum[:rows]
            covered = w > 0
            probs = probs_buf[:rows] / np.where(covered, w, 1.)[..., None]
            cls = probs.argmax(-1).astype(np.uint8)
            invalid = ~covered | mask_buf[:rows]
            cls[invalid] = NODATA_CLASS
            probs[invalid] = np.nan
            emit(buf_top, cls, probs)

        for y in ys:
            if y > buf_top:  # rows above y are final: emit them, slide the buffers to row y
                shift = y - buf_top
                flush(shift)
                for buf in (probs_buf, wsum):
                    buf[:th - shift] = buf[shift:].copy()
                    buf[th - shift:] = 0
            buf_top = y
            img, mask_buf = scene.read(y, th)
            wy = edge_weights(th, y == 0, y + th == H, overlap, margin)
            todo = [(x, wxi) for x, wxi in zip(xs, wx) if not mask_buf[:, x:x + tw].all()]
            if bar and len(todo) < len(xs):  # all-nodata tiles are skipped
                bar.update(len(xs) - len(todo))
            for b in range(0, len(todo), self.batch_size):
                batch = todo[b:b + self.batch_size]
                probs = self.predict_tiles([img[:, x:x + tw] for x, _ in batch])
                for (x, wxi), p in zip(batch, probs):
                    weight = wy[:, None] * wxi[None, :]
                    probs_buf[:, x:x + tw] += p.transpose(1, 2, 0) * weight[..., None]
                    wsum[:, x:x + tw] += weight
                predicted += len(batch)
                if bar:
                    bar.update(len(batch))
        flush(H - buf_top)
        if bar:
            sys.stderr.write('\n')
        if not predicted:
            raise ValueError(f'{scene.paths[0]}: every pixel is nodata, nothing to predict')
