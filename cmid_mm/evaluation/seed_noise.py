"""One rule for "is this difference beyond seed noise?", used by the demo's CMID-vs-random lines
and the SSL benchmark's verdicts, so the two never disagree about the same numbers.

The rule: the gap between two means counts only when it is larger than the sum of the two sample
standard deviations over seeds. With fewer than two seeds on either side there is no spread to
compare with, and no verdict.
"""
import math
from typing import Optional, Sequence, Tuple


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (0.0 for a single value)."""
    values = list(values)
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def noise_level(a: Sequence[float], b: Sequence[float]) -> float:
    """What a gap between the means of ``a`` and ``b`` must exceed: the sum of their stds."""
    return mean_std(a)[1] + mean_std(b)[1]


def beyond_noise(a: Sequence[float], b: Sequence[float]) -> Optional[int]:
    """+1 when ``a`` is ahead of ``b`` beyond seed noise, -1 when behind, 0 within noise; None
    when either side has fewer than two seeds."""
    if min(len(a), len(b)) < 2:
        return None
    gap = mean_std(a)[0] - mean_std(b)[0]
    if abs(gap) <= noise_level(a, b):
        return 0
    return 1 if gap > 0 else -1
