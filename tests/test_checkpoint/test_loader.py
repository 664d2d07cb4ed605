"""cmid_mm.checkpoint.read_checkpoint: one line for every unusable file, nothing executed."""
import os

import pytest
import torch
from cmid_mm.checkpoint import CheckpointError, read_checkpoint
from cmid_mm.checkpoint.loader import EMBEDDED_CONFIG_TEXT

from .conftest import assert_one_line_error, run_tool


class RunsCode:
    """Unpickling it would call os.system."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def good_checkpoint(path):
    torch.save({'state_dict': {'w': torch.ones(2)}, 'meta': {'iter': 3}}, path)
    return path


def make(kind, tmp_path):
    """A file of each unusable kind, and the words its error must have."""
    path = tmp_path / f'{kind}.pth'
    if kind == 'missing':
        return path, ['checkpoint not found']
    if kind == 'empty':
        path.write_bytes(b'')
        return path, ['is empty (0 bytes)']
    if kind == 'text':
        path.write_text('model = dict(type="ResNet")\n')
        return path, ['is not a PyTorch checkpoint']
    if kind == 'truncated':
        data = good_checkpoint(tmp_path / 'good.pth').read_bytes()
        path.write_bytes(data[:len(data) // 2])
        return path, ['is truncated']
    if kind == 'refused':
        torch.save({'state_dict': {}, 'x': RunsCode(tmp_path / 'MARKER')}, path)
        return path, ['refused to load', 'GLOBAL posix.system', 'nothing in it was executed']
    if kind == 'not_a_dict':
        torch.save([torch.ones(1)], path)
        return path, ['holds a list, not a checkpoint dict']
    if kind == 'directory':
        path.mkdir()
        return path, ['is a directory']
    raise KeyError(kind)


KINDS = ['missing', 'empty', 'text', 'truncated', 'refused', 'not_a_dict', 'directory']


@pytest.mark.parametrize('kind', KINDS)
def test_unusable_file_is_one_line(kind, tmp_path):
    path, words = make(kind, tmp_path)
    with pytest.raises(CheckpointError) as e:
        read_checkpoint(path)
    message = str(e.value)
    assert len(message.splitlines()) == 1 and str(path) in message
    for word in words:
        assert word in message
    assert 'weights_only=False' not in message and 'weights_only` set to `False' not in message
    assert not (tmp_path / 'MARKER').exists()


@pytest.mark.parametrize('kind', ['empty', 'text', 'truncated', 'refused'])
def test_tools_report_it_in_one_line(kind, tmp_path, tiny_cls):
    """Every tool reads checkpoints through the same loader and prints its one line."""
    config, _ = tiny_cls
    path, words = make(kind, tmp_path)
    assert_one_line_error(run_tool('test.py', config, path, '--work-dir', tmp_path / 'w'),
                          str(path), *words)
    out = tmp_path / 'out.pth'
    assert_one_line_error(run_tool('model_converters/extract_backbone.py', path, out),
                          str(path), *words)
    assert not out.exists() and not (tmp_path / 'MARKER').exists()


def test_embedded_config_text_is_moved_out_of_meta(tmp_path):
    """mmengine's Runner.resume passes meta['config'] to Config.fromstring (which executes it):
    the loader keeps such text only as inert data under another key."""
    path = tmp_path / 'c.pth'
    torch.save({'state_dict': {}, 'meta': {'cfg': 'a = 1', 'config': 'b = 2', 'iter': 1}}, path)
    meta = read_checkpoint(path)['meta']
    assert 'cfg' not in meta and 'config' not in meta and meta['iter'] == 1
    assert meta[EMBEDDED_CONFIG_TEXT] == {'cfg': 'a = 1', 'config': 'b = 2'}


def test_good_checkpoint_loads(tmp_path):
    ckpt = read_checkpoint(good_checkpoint(tmp_path / 'good.pth'))
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2)) and ckpt['meta']['iter'] == 3
