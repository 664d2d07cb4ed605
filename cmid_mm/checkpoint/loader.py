"""The one checkpoint reader of cmid_mm: every tool, and mmengine itself, loads through it.

``read_checkpoint`` always uses ``torch.load(weights_only=True)`` with the allow-list of
``safe_globals``; each way a file can be unusable is one :class:`CheckpointError` line (not found,
empty, truncated or not a torch file, holds a refused object, not a checkpoint dict). It never
suggests ``weights_only=False``.

Strings inside a checkpoint are data. mmengine embeds the training config as Python source
(``meta['cfg']``, and ``meta['config']`` in older files) and ``Runner.resume`` passes
``meta['config']`` to ``Config.fromstring``, which executes it. ``read_checkpoint`` therefore
moves both out of ``meta`` into ``meta['embedded_config_text']`` (kept, never evaluated), and
``register_safe_local_loader`` makes mmengine's local and HTTP loaders use it, so ``--resume``,
``load_from``, ``init_cfg=dict(type='Pretrained')`` and ``load_checkpoint`` all get the same
treatment.
"""
import os.path as osp
import pickle
import re
import zipfile

import torch

from .safe_globals import register_checkpoint_safe_globals

# mmengine keys that hold config *source text*; read as text, never executed.
EMBEDDED_CONFIG_KEYS = ('cfg', 'config')
EMBEDDED_CONFIG_TEXT = 'embedded_config_text'

# Pickle opcodes a legacy (torch < 1.6, non-zip) checkpoint starts with: PROTO 2..5.
_LEGACY_PICKLE_MAGIC = (b'\x80\x02', b'\x80\x03', b'\x80\x04', b'\x80\x05')


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message is one line naming the file and the fix."""


def _weights_only_refusal(error: Exception):
    """What torch's weights-only unpickler refused (``'GLOBAL posix.system'``, ``'Can only
    append to lists, ...'``), from its page-long message (whose advice is dropped); None when
    the pickle itself is damaged."""
    text = str(error)
    if 'Unsupported operand' in text:  # an opcode no pickle writer emits: damaged bytes
        return None
    name = re.search(r'GLOBAL\s+([\w.]+)', text)
    if name:
        return f'GLOBAL {name.group(1)}'
    m = re.search(r'WeightsUnpickler error:\s*(.+)', text)
    if m:
        return m.group(1).strip().split('. ')[0][:160]
    if 'Weights only load failed' not in text:
        return None
    advice = ('weights_only', 'Check the documentation', 'Please file an issue', 'safe_globals')
    facts = [ln.strip() for ln in text.splitlines()
             if ln.strip() and not any(a in ln for a in advice)]
    return facts[0][:160] if facts else 'an object outside the allow-list'


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:120] if text else type(error).__name__


def _check_file(path: str) -> None:
    if not osp.exists(path):
        raise CheckpointError(f'checkpoint not found: {path}')
    if not osp.isfile(path):
        raise CheckpointError(f'checkpoint {path} is a directory, not a file')
    size = osp.getsize(path)
    if size == 0:
        raise CheckpointError(f'checkpoint {path} is empty (0 bytes): the save was interrupted '
                              'or the copy failed; use an earlier checkpoint or copy it again')
    if zipfile.is_zipfile(path):
        return
    with open(path, 'rb') as f:
        head = f.read(4)
    if head[:2] in _LEGACY_PICKLE_MAGIC:
        return  # torch < 1.6 format; torch.load(weights_only=True) reads it
    if head[:2] == b'PK':
        raise CheckpointError(f'checkpoint {path} is truncated ({size} bytes, the end of the '
                              'archive is missing): the save or copy was cut short; use an '
                              'earlier checkpoint or copy it again')
    raise CheckpointError(f'{path} is not a PyTorch checkpoint ({size} bytes that are neither a '
                          'torch zip archive nor a pickle): give the .pth file written by '
                          'training or a converter')


def sanitize_checkpoint(checkpoint):
    """Move embedded config source text out of ``meta`` so nothing can execute it."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    if isinstance(meta, dict):
        texts = {k: meta.pop(k) for k in EMBEDDED_CONFIG_KEYS if k in meta}
        if texts:
            meta[EMBEDDED_CONFIG_TEXT] = {k: v for k, v in texts.items() if isinstance(v, str)}
    return checkpoint


def read_checkpoint(path: str, map_location='cpu', extra_safe_globals=()) -> dict:
    """Load a local checkpoint with ``weights_only=True``; one :class:`CheckpointError` line for
    every way it can fail. ``extra_safe_globals``: more classes allowed for this load only (the
    official-CMID stand-ins)."""
    path = osp.expanduser(str(path))
    _check_file(path)
    register_checkpoint_safe_globals()
    try:
        with torch.serialization.safe_globals(list(extra_safe_globals)):
            checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        refusal = _weights_only_refusal(e)
        if refusal is not None:
            raise CheckpointError(
                f'refused to load {path}: it holds an object this loader does not rebuild '
                f'({refusal}); nothing in it was executed. Checkpoints are read as weights '
                'only: re-save just its state dict where the file is trusted') from None
        raise CheckpointError(f'{path} is corrupt (its pickled data is damaged); use an '
                              'earlier checkpoint or copy it again') from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as e:
        raise CheckpointError(f'{path} is truncated or corrupt ({_first_line(e)}); use an '
                              'earlier checkpoint or copy it again') from None
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f'{path} holds a {type(checkpoint).__name__}, not a checkpoint '
                              'dict of weights')
    return sanitize_checkpoint(checkpoint)


def embedded_config_text(checkpoint: dict) -> str:
    """The training config source a checkpoint carries ('' if none). Text only: never pass it to
    ``Config.fromstring`` (that executes it)."""
    texts = (checkpoint.get('meta') or {}).get(EMBEDDED_CONFIG_TEXT) or {}
    return texts.get('cfg') or texts.get('config') or ''


def _mmengine_local_loader(filename, map_location):
    """mmengine ``CheckpointLoader`` scheme for local paths: :func:`read_checkpoint`."""
    return read_checkpoint(filename, map_location=map_location)


def _mmengine_http_loader(filename, map_location=None):
    """mmengine's HTTP loader (download + ``torch.load``), then the same sanitising."""
    from mmengine.runner.checkpoint import load_from_http
    try:
        checkpoint = load_from_http(filename, map_location=map_location)
    except pickle.UnpicklingError as e:
        raise CheckpointError(f'refused to load {filename}: it holds an object this loader does '
                              f'not rebuild ({_weights_only_refusal(e) or _first_line(e)}); '
                              'nothing in it was executed') from None
    return sanitize_checkpoint(checkpoint)


def register_safe_local_loader() -> None:
    """Route mmengine's checkpoint reading through this module (idempotent): local files and
    HTTP by :func:`read_checkpoint`'s rules, and every scheme's result (``torchvision://``,
    ``open-mmlab://`` ...) through :func:`sanitize_checkpoint`, since ``Runner.resume`` executes
    ``meta['config']`` whatever scheme delivered it. The function names keep mmengine's
    ``load_from_`` convention: its log line cuts 10 characters."""
    from mmengine.runner import CheckpointLoader
    local = _mmengine_local_loader
    local.__name__ = 'load_from_local (cmid_mm, weights only)'
    http = _mmengine_http_loader
    http.__name__ = 'load_from_http (cmid_mm, weights only)'
    CheckpointLoader.register_scheme(prefixes='', loader=local, force=True)
    CheckpointLoader.register_scheme(prefixes=('http://', 'https://'), loader=http, force=True)
    load = CheckpointLoader.load_checkpoint.__func__
    if getattr(load, '_sanitizes', False):
        return

    def load_checkpoint(cls, filename, map_location=None, logger='current'):
        return sanitize_checkpoint(load(cls, filename, map_location=map_location, logger=logger))

    load_checkpoint._sanitizes = True
    load_checkpoint.__doc__ = load.__doc__
    CheckpointLoader.load_checkpoint = classmethod(load_checkpoint)
