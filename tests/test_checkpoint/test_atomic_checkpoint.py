import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmengine.fileio import get_file_backend

from cmid_mm.checkpoint import atomic_write
from cmid_mm.checkpoint.atomic_local_backend import AtomicLocalBackend
from cmid_mm.utils import find_resume_checkpoint


def test_local_backend_is_atomic():
    assert isinstance(get_file_backend('/tmp/x.pth'), AtomicLocalBackend)


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'ckpt.pth'
    path.write_bytes(b'good')

    def crash(*args):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'replace', crash)
    with pytest.raises(OSError, match='disk full'):
        atomic_write(b'new', str(path))
    assert path.read_bytes() == b'good'
    assert os.listdir(tmp_path) == ['ckpt.pth']  # no temp file left behind


WRITER = r'''
import sys, torch
import cmid_mm  # noqa: F401  (atomic local backend)
from mmengine.runner.checkpoint import save_checkpoint
print('start', flush=True)
save_checkpoint({'state_dict': {'w': torch.randn(64, 1024, 1024)}}, sys.argv[1])  # 256 MiB
print('done', flush=True)
'''


def test_sigkill_while_saving_leaves_the_previous_checkpoint_intact(tmp_path):
    path = tmp_path / 'iter_2.pth'
    torch.save({'state_dict': {'w': torch.ones(3)}}, path)
    proc = subprocess.Popen([sys.executable, '-c', WRITER, str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == 'start'
    deadline = time.time() + 60
    while not any(n.endswith('.tmp') for n in os.listdir(tmp_path)):  # saving has begun
        assert time.time() < deadline and proc.poll() is None, 'writer never started saving'
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert torch.equal(torch.load(path)['state_dict']['w'], torch.ones(3))


def test_resume_skips_an_incomplete_checkpoint(tmp_path):
    torch.save({'x': 1}, tmp_path / 'iter_2.pth')
    torch.save({'x': 2}, tmp_path / 'iter_4.pth')
    (tmp_path / 'iter_6.pth').write_bytes(open(tmp_path / 'iter_4.pth', 'rb').read()[:100])
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_6.pth'))
    assert find_resume_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_4.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    assert find_resume_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_2.pth')
    assert find_resume_checkpoint(str(tmp_path / 'empty')) is None
