"""The arithmetic of item statistics, on plain numbers (no database, no web).

Discrimination is the corrected item-total correlation: Pearson's r between the item's score
and the rest-of-test score (the attempt's total minus this item), over the n attempts that
answered it:

    r = sum((x - mean_x) * (y - mean_y)) / sqrt(sum((x - mean_x)^2) * sum((y - mean_y)^2))

For an item scored right or wrong (0 or its points) this is the point-biserial correlation,
r_pb = (M1 - M0) / s_y * sqrt(p * q), with M1 and M0 the mean rest scores of those who got it
right and wrong, p and q their shares and s_y the population standard deviation of the rest
scores. Leaving the item out of the total keeps it from correlating with itself. r is
undefined (None) with fewer than two attempts or when either side does not vary (everyone
got the same item score, or the same rest score): never NaN.

Usage:
    r = point_biserial([1, 0, 1], [7, 3, 6])      # 0.98...
    bins = histogram([0.0, 0.5, 1.0], bins=10)    # fractions of the maximum in [0, 1]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Bin", "facility", "histogram", "mean", "point_biserial", "stdev"]

# Scores are stored to 6 decimals: deviations far below that are rounding noise of the mean.
NOISE = 1e-9


@dataclass(frozen=True, slots=True)
class Bin:
    lower: float
    upper: float
    count: int


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; None for no values."""
    return math.fsum(values) / len(values) if values else None


def stdev(values: Sequence[float]) -> float | None:
    """The population standard deviation; None for no values."""
    centre = mean(values)
    if centre is None:
        return None
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / len(values))


def facility(scores: Sequence[float], maxima: Sequence[float]) -> float | None:
    """The mean fraction of the maximum earned (1: everyone got full marks); None for no
    scores. Each score is divided by its own maximum (a drawn question can carry different
    points in different draws)."""
    fractions = [s / m for s, m in zip(scores, maxima, strict=True) if m > 0]
    return mean(fractions)


def point_biserial(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """Pearson's r between item scores and rest-of-test scores (see the module's docstring);
    None when undefined."""
    if len(item) != len(rest):
        raise ValueError("item and rest scores must pair up")
    if len(item) < 2:
        return None
    mean_x, mean_y = math.fsum(item) / len(item), math.fsum(rest) / len(rest)
    dx = [x - mean_x for x in item]
    dy = [y - mean_y for y in rest]
    if not (_varies(item, dx) and _varies(rest, dy)):
        return None
    sxx = math.fsum(d * d for d in dx)
    syy = math.fsum(d * d for d in dy)
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def _varies(values: Sequence[float], deviations: Sequence[float]) -> bool:
    scale = max(1.0, max(abs(v) for v in values))
    return max(abs(d) for d in deviations) > NOISE * scale


def histogram(fractions: Sequence[float], bins: int = 10) -> list[Bin]:
    """Counts of `fractions` (of a maximum, in [0, 1]) in `bins` equal bins; each bin holds
    [lower, upper) and the last also its upper edge 1. Values outside [0, 1] (an override
    above the points, say) go to the nearest end bin."""
    counts = [0] * bins
    for value in fractions:
        # The nudge puts 0.3 (stored as 0.29999...) in the bin it reads as.
        index = math.floor(value * bins + NOISE) if math.isfinite(value) else 0
        counts[min(bins - 1, max(0, index))] += 1
    return [Bin(lower=i / bins, upper=(i + 1) / bins, count=c) for i, c in enumerate(counts)]
