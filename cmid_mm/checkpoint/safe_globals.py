"""Let mmengine checkpoints load under torch's ``weights_only=True`` default.

torch >= 2.6 defaults ``torch.load(weights_only=True)``, but mmengine 0.10.7 calls ``torch.load``
without ``weights_only`` (``load_checkpoint``, runner resume, ``load_from``,
``init_cfg=dict(type='Pretrained')``), and its checkpoints hold a few non-tensor objects that the
weights-only unpickler refuses (open-mmlab/mmengine#1655). Rather than turning the safe unpickler
off, we allowlist exactly those objects, found with
``torch.serialization.get_unsafe_globals_in_checkpoint`` on checkpoints written by mmengine's Runner
(optimizer, param schedulers, message hub, EMA, best checkpoint).
"""
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.optim.scheduler.param_scheduler import OneCycleParamScheduler

# Functions defined inside a class (HistoryBuffer's statistics methods kept in its state,
# OneCycleParamScheduler's ``anneal_func`` staticmethod) are pickled as
# ``builtins.getattr(cls, name)``. The real ``getattr`` would let a checkpoint reach any attribute
# (e.g. ``__globals__``), so the unpickler gets a stand-in that resolves only these names.
_PICKLED_CLASS_ATTRS = {
    HistoryBuffer: frozenset({'min', 'max', 'current', 'mean'}),
    OneCycleParamScheduler: frozenset({'_annealing_cos', '_annealing_linear'}),
}


def _restricted_getattr(obj, name):
    """Stand-in for ``builtins.getattr`` in weights-only loads (see above)."""
    if name not in _PICKLED_CLASS_ATTRS.get(obj, ()):
        raise pickle.UnpicklingError(f'refusing getattr({obj!r}, {name!r}) in a weights-only load')
    return getattr(obj, name)


def _numpy_globals():
    """numpy objects in the message hub (HistoryBuffer arrays) and numpy metric values."""
    # numpy 2 moved ``numpy.core`` to ``numpy._core``; pickles name the module of the numpy that
    # wrote them, so register both paths to load checkpoints written under either numpy.
    try:  # numpy >= 2, or numpy 1.26's alias of it (same functions)
        from numpy._core import multiarray
    except ImportError:  # numpy < 1.26
        from numpy.core import multiarray
    paths = [(fn, f'numpy.{core}.multiarray.{fn.__name__}')
             for fn in (multiarray._reconstruct, multiarray.scalar) for core in ('core', '_core')]
    # Unpickling a dtype calls ``numpy.dtype(...)`` and then sets its state, which the unpickler
    # only allows for allowlisted types: numpy >= 1.25's per-dtype classes (``Float64DType``).
    # float64/int64 are what HistoryBuffer stores; float32/int32 cover numpy metric values and
    # platforms whose default int is 32-bit.
    dtype_types = {type(np.dtype(t)) for t in (np.float32, np.float64, np.int32, np.int64)}
    return paths + [np.ndarray, np.dtype, *dtype_types]


def register_checkpoint_safe_globals():
    """Allowlist the globals of mmengine checkpoints for ``torch.load(weights_only=True)``.

    Idempotent (torch keeps the allowlist as a set). A no-op on torch < 2.4, which has no allowlist
    and does not default to ``weights_only=True``.
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is None:
        return
    add_safe_globals([
        *_numpy_globals(),
        HistoryBuffer,  # the log_scalars of checkpoint['message_hub']
        OneCycleParamScheduler,  # its state holds ``anneal_func``, see _PICKLED_CLASS_ATTRS
        (_restricted_getattr, 'builtins.getattr'),
    ])
