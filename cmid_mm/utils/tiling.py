"""Sliding windows over a large image: the one layout of DOTA patch splits and scene inference."""
from typing import List


def window_starts(length: int, window: int, overlap: int = 0) -> List[int]:
    """Start offsets of windows of ``window`` px along an axis of ``length`` px, neighbours
    overlapping by ``overlap`` px (a step of ``window - overlap``), the last window flush with the
    end (as the DOTA devkit); one window at 0 when the axis is no longer than a window.

    Raises:
        ValueError: unless ``0 <= overlap < window``.
    """
    if not 0 <= overlap < window:
        raise ValueError(f'need 0 <= overlap (gap) < window (patch size), got overlap={overlap}, '
                         f'window={window}')
    if length <= window:
        return [0]
    return list(range(0, length - window, window - overlap)) + [length - window]
