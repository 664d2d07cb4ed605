"""A tiny trained mmpretrain classifier (config, data, work dir) shared by the checkpoint tests."""
import subprocess
import sys

import pytest

from ..conftest import REPO_ROOT, write_tiny_classifier


def run_tool(tool, *args, timeout=300):
    """``python tools/<tool> args`` from the repository root."""
    return subprocess.run([sys.executable, f'tools/{tool}', *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def assert_one_line_error(proc, *fragments):
    """rc 2; stderr ends with one ``error: ...`` line holding every fragment (library warnings
    may come before it), and has no traceback and no advice to load unsafely."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and lines and lines[-1].startswith('error: '), proc.stderr[-3000:]
    assert sum(ln.startswith('error: ') for ln in lines) == 1
    for fragment in fragments:
        assert fragment in lines[-1], lines[-1]
    assert 'weights_only=False' not in proc.stderr and 'Traceback' not in proc.stderr


@pytest.fixture(scope='package')
def tiny_cls(tmp_path_factory):
    """(config path, work dir with iter_2.pth) of a 2-iteration ResNet-18 classifier run."""
    root = tmp_path_factory.mktemp('tiny_cls')
    config = write_tiny_classifier(root)
    work_dir = root / 'work'
    proc = run_tool('train.py', config, '--work-dir', work_dir)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return config, work_dir
