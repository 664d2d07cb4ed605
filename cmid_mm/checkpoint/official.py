"""Inert stand-ins for the objects the official CMID trainer pickles into its checkpoints.

The official trainer (NJU-LHRS/official-CMID, ``Pretrain/Exploring/trainer.py``) saves
``{'epoch', 'num_gpus', 'model', 'optimizer', 'metric_storage', 'hooks'}``, where
``metric_storage`` is its ``Exploring.utils.metric.MetricStroge`` (a dict subclass, name as
spelled there) of ``Exploring.utils.history_buffer.HistoryBuffer`` objects, each holding a
``collections.deque`` of logged values. A weights-only load refuses those names, so a user would
need the official code installed to re-save a released checkpoint.

Instead, each name is allow-listed *for the converter's load only* as a class defined here that
has no behaviour: the unpickler creates it with ``__new__`` and fills its ``__dict__`` (or dict
items), and nothing of the official code, or of the file, is imported or run. Any other global
in such a file is still refused.
"""
import collections


class OfficialMetricStorage:
    """Stand-in for ``Exploring.utils.metric.MetricStroge`` (a dict subclass there).

    The weights-only unpickler fills items only into a plain dict / ``OrderedDict`` and sets
    attributes only on an ``OrderedDict`` or an allow-listed class, so creating one gives an
    ``OrderedDict``: the logged history as data.
    """

    def __new__(cls, *args, **kwargs):
        return collections.OrderedDict()


class OfficialHistoryBuffer:
    """Stand-in for ``Exploring.utils.history_buffer.HistoryBuffer``: attributes only."""


class OfficialDeque(list):
    """Stand-in for ``collections.deque`` (a buffer's values): the unpickler appends only to
    lists, and ``maxlen`` does not matter for data that is only read."""

    def __init__(self, iterable=(), maxlen=None):
        super().__init__(iterable)


# pickled name -> stand-in
OFFICIAL_STAND_INS = {
    'Exploring.utils.metric.MetricStroge': OfficialMetricStorage,
    'Exploring.utils.history_buffer.HistoryBuffer': OfficialHistoryBuffer,
    'collections.deque': OfficialDeque,
}


def official_safe_globals():
    """Entries for ``torch.serialization.safe_globals`` that let an official full checkpoint
    load with ``weights_only=True``: each stand-in under the name the official trainer
    pickled."""
    return [(cls, name) for name, cls in OFFICIAL_STAND_INS.items()]
