"""Image loading that fails loudly (or skips, when asked) on bad files, naming the file.

mmcv's ``LoadImageFromFile`` reports a zero-byte file as an OpenCV assertion without the file name,
decodes a JPEG cut short at its end into a silently grey-padded image, and turns a grayscale image
into three identical bands. Registered in mmcv's root TRANSFORMS, so mmpretrain, mmseg and mmdet
pipelines can all use them.
"""
from typing import Optional, Sequence

import mmcv
from mmcv.transforms import BaseTransform, LoadImageFromFile
from mmcv.transforms import TRANSFORMS
from mmengine import fileio
from mmengine.logging import print_log


class ImageFileError(ValueError):
    """A bad input file; the message starts with its path."""


def _truncated(data: bytes) -> bool:
    """True when a JPEG or PNG stream lacks its end marker (the file was cut short)."""
    if data[:2] == b'\xff\xd8':  # JPEG: ends with EOI (FFD9); tolerate trailing padding
        return b'\xff\xd9' not in data.rstrip(b'\x00\r\n ')[-64:]
    if data[:8] == b'\x89PNG\r\n\x1a\n':  # PNG: last chunk is IEND
        return b'IEND' not in data[-16:]
    return False


@TRANSFORMS.register_module()
class CheckedLoadImageFromFile(LoadImageFromFile):
    """``LoadImageFromFile`` with checks; every failure names the file.

    Args:
        expected_channels: number of bands the file must have (decoded ``unchanged``): a
            grayscale file where RGB is expected is an error, not three copies of one band.
        min_size: smallest accepted height/width in pixels (e.g. the crop size).
        on_error: ``'raise'`` (default) or ``'skip'``: log a warning with a running count of the
            files skipped by this process and return None, so mmengine's dataset draws another
            sample (training only; test-time pipelines must not skip).
        **kwargs: ``LoadImageFromFile`` arguments (``color_type``, ``backend_args``, ...).
    """

    def __init__(self, expected_channels: Optional[int] = None, min_size: Optional[int] = None,
                 on_error: str = 'raise', **kwargs):
        super().__init__(**kwargs)
        if on_error not in ('raise', 'skip'):
            raise ValueError(f"CheckedLoadImageFromFile: on_error must be 'raise' or 'skip', "
                             f'got {on_error!r}')
        self.expected_channels = expected_channels
        self.min_size = min_size
        self.on_error = on_error
        self.skipped = 0

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        try:
            img = self._load(path)
        except ImageFileError as e:
            if self.on_error == 'raise':
                raise
            self.skipped += 1
            print_log(f'{e}; skipped ({self.skipped} skipped by this process so far)',
                      logger='current', level=30)
            return None
        if self.to_float32:
            img = img.astype('float32')
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def _load(self, path: str):
        try:
            data = fileio.get(path, backend_args=self.backend_args)
        except Exception as e:  # missing file, permissions, ...
            raise ImageFileError(f'{path}: cannot read the file ({e})') from e
        if not data:
            raise ImageFileError(f'{path}: empty file (0 bytes)')
        if _truncated(data):
            raise ImageFileError(f'{path}: truncated image (the file ends before the image does)')
        flag = 'unchanged' if self.expected_channels else self.color_type
        try:
            img = mmcv.imfrombytes(data, flag=flag, backend=self.imdecode_backend)
        except Exception as e:
            raise ImageFileError(f'{path}: cannot decode the image ({e})') from e
        if img is None:
            raise ImageFileError(f'{path}: cannot decode the image (corrupt or not an image)')
        channels = 1 if img.ndim == 2 else img.shape[2]
        if self.expected_channels and channels != self.expected_channels:
            raise ImageFileError(f'{path}: {channels} band(s), expected {self.expected_channels}')
        if self.min_size and min(img.shape[:2]) < self.min_size:
            raise ImageFileError(f'{path}: {img.shape[1]}x{img.shape[0]} px is smaller than '
                                 f'min_size={self.min_size} px')
        return img

    def __repr__(self):
        return (f'{self.__class__.__name__}(expected_channels={self.expected_channels}, '
                f'min_size={self.min_size}, on_error={self.on_error!r}, '
                f'color_type={self.color_type!r})')


@TRANSFORMS.register_module()
class CheckSameSize(BaseTransform):
    """Error naming both files when arrays that must align (image, label map) differ in size.

    Args:
        keys: result keys to compare, e.g. ``('img', 'gt_seg_map')``.
        path_keys: result keys holding the file names for the message.
    """

    def __init__(self, keys: Sequence[str] = ('img', 'gt_seg_map'),
                 path_keys: Sequence[str] = ('img_path', 'seg_map_path')):
        self.keys = tuple(keys)
        self.path_keys = tuple(path_keys)

    def transform(self, results: dict) -> dict:
        sizes = {k: results[k].shape[:2] for k in self.keys if k in results}
        if len(set(sizes.values())) > 1:
            files = ', '.join(f'{results[k]}' for k in self.path_keys if k in results)
            detail = ', '.join(f'{k} {h}x{w}' for k, (h, w) in sizes.items())
            raise ImageFileError(f'{files}: sizes differ ({detail}, as height x width)')
        return results
