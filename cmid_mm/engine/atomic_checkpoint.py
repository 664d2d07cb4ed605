"""Checkpoints written atomically: a process killed while saving leaves the previous one intact.

mmengine 0.10.7 writes checkpoints with ``open(path, 'wb')`` (``LocalBackend.put``): a kill while
saving leaves a truncated file. The local backend is replaced here, under mmengine's own name, by a
drop-in subclass writing temp file + fsync + ``os.replace`` (atomic on POSIX), so every config
(mmpretrain, mmseg, mmdet) gets it once ``cmid_mm`` is imported. mmengine then updates the
``last_checkpoint`` pointer with a plain write; ``tools/train.py --resume`` does not trust it
blindly (``cmid_mm.utils.find_resume_checkpoint``).
"""
import os
import os.path as osp
import tempfile
from typing import Union

from mmengine.fileio.backends import LocalBackend, register_backend


def atomic_write(data: Union[bytes, str], path: str, encoding: str = 'utf-8') -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the complete new one."""
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data.encode(encoding) if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic ``put`` / ``put_text``."""

    def put(self, obj: bytes, filepath) -> None:
        atomic_write(obj, str(filepath))

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write(obj, str(filepath), encoding)


def register_atomic_checkpointing() -> None:
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
