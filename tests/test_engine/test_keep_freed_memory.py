"""keep_freed_memory (tools/train.py, benchmark_pretrain): glibc keeps a freed 64 MiB block for
reuse, so allocating it again faults no pages; opt-out and user settings are respected."""
import os
import subprocess
import sys

import pytest

PROBE = """
import resource
from cmid_mm.utils.cli import keep_freed_memory
print(keep_freed_memory())
faults = []
for _ in range(6):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = bytearray(b'x' * (64 << 20))  # written: every page touched
    del block
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(sum(faults[2:]))
"""


def probe(**extra):
    """(the line keep_freed_memory returns, page faults of 4 reallocations of 64 MiB) in a
    fresh process with ``extra`` in its environment and no malloc setting of ours."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('MALLOC_') and k not in ('GLIBC_TUNABLES', 'CMID_MALLOC_TUNING')}
    proc = subprocess.run([sys.executable, '-c', PROBE], capture_output=True, text=True,
                          env={**env, **extra})
    assert proc.returncode == 0, proc.stderr[-2000:]
    note, faults = proc.stdout.strip().splitlines()[-2:]
    return note, int(faults)


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='glibc malloc')
def test_freed_blocks_are_reused_unless_turned_off_or_set_by_the_user():
    note, faults = probe()
    assert note.startswith('malloc: freed memory kept for reuse')
    pages = (64 << 20) // os.sysconf('SC_PAGE_SIZE')
    assert faults < pages // 10  # 4 allocations of 64 MiB, almost no page fault
    note, faults = probe(CMID_MALLOC_TUNING='0')
    assert note == 'malloc: glibc defaults (CMID_MALLOC_TUNING=0)'
    assert faults > 3 * pages  # each of the 4 is mmap-ed and faulted in again
    note, _ = probe(MALLOC_MMAP_MAX_='65536')
    assert note == 'malloc: as set by MALLOC_MMAP_MAX_'
