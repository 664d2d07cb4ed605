"""Checkpoint ground floor: safe globals, the one loader, official conversion, atomic saving,
resume lookup.

Imports nothing from the rest of cmid_mm, so every other part (and every tool) can use it.
"""
from .atomic_local_backend import AtomicLocalBackend, atomic_write, register_atomic_checkpointing
from .fit import CheckedPretrainedInit, CheckpointFitHook, add_checkpoint_fit_hook, check_fit
from .loader import (CheckpointError, embedded_config_text, read_checkpoint,
                     register_safe_local_loader, sanitize_checkpoint)
from .resume import find_resume_checkpoint
from .safe_globals import register_checkpoint_safe_globals

__all__ = [
    'AtomicLocalBackend', 'atomic_write', 'register_atomic_checkpointing',
    'CheckedPretrainedInit', 'CheckpointFitHook', 'add_checkpoint_fit_hook', 'check_fit',
    'CheckpointError', 'embedded_config_text', 'find_resume_checkpoint', 'read_checkpoint',
    'register_checkpoint_safe_globals', 'register_safe_local_loader', 'sanitize_checkpoint'
]
