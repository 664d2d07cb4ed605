"""Pick the checkpoint that ``--resume`` (without a path) continues from."""
import glob
import os.path as osp
import re
import zipfile
from typing import Optional

from mmengine.logging import print_log

from .atomic_local_backend import remove_stale_temp_files


def _is_complete(path: str) -> bool:
    # torch.save writes a zip archive whose directory sits at the end: a truncated file has none.
    return osp.isfile(path) and zipfile.is_zipfile(path)


def _step(path: str) -> int:
    match = re.search(r'(\d+)\.pth$', osp.basename(path))
    return int(match.group(1)) if match else -1


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The latest complete checkpoint in ``work_dir``, or None.

    mmengine's ``last_checkpoint`` pointer is used when it names a complete file; otherwise (the
    pointer or the checkpoint it names was cut short by a kill) the complete ``*.pth`` with the
    highest iteration/epoch number wins. Temp files that a save killed midway left in
    ``work_dir`` (``.<name>.*.tmp``) are removed.
    """
    if osp.isdir(work_dir):
        for tmp in remove_stale_temp_files(work_dir):
            print_log(f'removed {tmp}, left by a save that was killed', logger='current')
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip()
        if named and _is_complete(named):
            return named
        print_log(f'{pointer} names {named!r}, which is missing or incomplete; '
                  'looking for the newest complete checkpoint', logger='current', level=30)
    candidates = sorted(glob.glob(osp.join(work_dir, '*.pth')), key=lambda p: (_step(p), osp.getmtime(p)))
    complete = [p for p in candidates if _is_complete(p)]
    return complete[-1] if complete else None
