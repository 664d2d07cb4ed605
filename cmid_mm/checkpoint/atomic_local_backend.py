"""mmengine's ``LocalBackend`` with atomic writes: a process killed while saving a checkpoint
leaves the previous one intact.

mmengine 0.10.7 writes checkpoints with ``open(path, 'wb')`` (``LocalBackend.put``): a kill while
saving leaves a truncated file. The local backend is replaced here, under mmengine's own name, by a
drop-in subclass writing temp file + fsync + ``os.replace`` (atomic on POSIX), so every config
(mmpretrain, mmseg, mmdet) gets it once ``cmid_mm`` is imported. mmengine then updates the
``last_checkpoint`` pointer with a plain write; resuming does not trust it blindly
(:func:`cmid_mm.checkpoint.find_resume_checkpoint`).
"""
import fcntl
import glob
import os
import os.path as osp
import tempfile
import threading
from typing import List, Optional, Union

from mmengine.fileio.backends import LocalBackend, register_backend

_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process umask, read without changing it where the kernel tells it (Linux >= 4.7:
    ``/proc/self/status``); else set and restored at once under a lock."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def remove_stale_temp_files(directory: str, name: Optional[str] = None) -> List[str]:
    """Remove the ``.<name>.*.tmp`` files that :func:`atomic_write` left in ``directory`` when a
    process was killed while saving (every name when ``name`` is None); a temp file that a live
    writer still holds (it keeps an ``flock`` on it) is left alone. Returns the removed paths."""
    pattern = f'.{glob.escape(name)}.*.tmp' if name else '.*.tmp'
    removed = []
    for tmp in glob.glob(osp.join(glob.escape(directory), pattern)):
        try:
            fd = os.open(tmp, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # being written right now
        else:
            try:
                os.remove(tmp)
                removed.append(tmp)
            except OSError:
                pass
        finally:
            os.close(fd)
    return removed


def atomic_write(data: Union[bytes, str], path: str, encoding: str = 'utf-8') -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the complete new one.

    The file gets the permissions of a plain ``open`` (``0o666`` less the umask), not
    ``mkstemp``'s ``0o600``. A temp file left by an earlier writer that was killed is removed
    first. An ``OSError`` (e.g. ``ENOSPC``, disk full) names ``path``.
    """
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    remove_stale_temp_files(directory, osp.basename(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # marks the temp file as in use (see above)
            os.fchmod(f.fileno(), 0o666 & ~current_umask())
            f.write(data.encode(encoding) if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
            os.replace(tmp, path)  # still locked: a cleaner never removes it before this
    except BaseException as e:
        if osp.exists(tmp):
            os.remove(tmp)
        if isinstance(e, OSError) and e.errno is not None and e.filename != path:
            raise OSError(e.errno, e.strerror, path) from e
        raise


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic ``put`` / ``put_text``."""

    def put(self, obj: bytes, filepath) -> None:
        atomic_write(obj, str(filepath))

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write(obj, str(filepath), encoding)


def register_atomic_checkpointing() -> None:
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
