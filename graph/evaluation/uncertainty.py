"""How much a development set can tell apart: percentile bootstrap intervals for its scores.

A development set is a sample of the needs a method will meet (61 CHMO methods, 108 DataFinder ideas, 15 reviewers),
so its score is an estimate, and a difference between two methods may be smaller than what another sample of the
same size would move it by. Resampling the set's units with replacement (queries for the ranking sets, researchers
for the reviewer set: their pairs are not independent of each other) and scoring each resample gives the spread
(Efron and Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 13: the percentile interval). Two methods
run on the same queries are compared *paired*: each resample takes the same queries for both, so what the queries
share (a hard query is hard for both) cancels out. The resampling is seeded, so a report is the same on every run.

>>> low, high = interval([0.0, 1.0] * 50)
>>> 0.4 < low < 0.5 < high < 0.6
True
>>> mean, low, high = paired_difference([0.5, 0.7, 0.9], [0.4, 0.6, 0.8])
>>> round(mean, 3), round(low, 3), round(high, 3)
(0.1, 0.1, 0.1)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: Resamples per interval, the interval's level, and the seed every report uses.
RESAMPLES = 1000
LEVEL = 0.9
SEED = 0


def _resamples(n: int, resamples: int, seed: int) -> np.ndarray:
    """``resamples`` rows of ``n`` unit indices drawn with replacement."""
    if n == 0:
        raise ValueError("no units to resample")
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _bounds(statistics: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(statistics, [tail, 1.0 - tail])
    return float(low), float(high)


def statistic_interval(
    n: int,
    statistic: Callable[[np.ndarray], float],
    *,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = SEED,
) -> tuple[float, float]:
    """The ``level`` interval of ``statistic`` (called with the indices of one resample of ``n`` units) for a
    statistic that is not a mean of per-unit values (an expected calibration error over resampled queries)."""
    return _bounds(np.array([statistic(picks) for picks in _resamples(n, resamples, seed)]), level)


def interval(
    values: Sequence[float], *, resamples: int = RESAMPLES, level: float = LEVEL, seed: int = SEED
) -> tuple[float, float]:
    """The ``level`` interval of the mean of ``values`` (one per query)."""
    data = np.asarray(values, dtype=np.float64)
    return _bounds(data[_resamples(len(data), resamples, seed)].mean(axis=1), level)


def paired_difference(
    a: Sequence[float], b: Sequence[float], *, resamples: int = RESAMPLES, level: float = LEVEL, seed: int = SEED
) -> tuple[float, float, float]:
    """The mean of ``a - b`` (two methods' scores on the same queries, in the same order) and its ``level``
    interval."""
    if len(a) != len(b):
        raise ValueError(f"{len(a)} scores against {len(b)}: a paired difference needs the same queries")
    difference = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    low, high = interval(difference.tolist(), resamples=resamples, level=level, seed=seed)
    return float(difference.mean()), low, high


def ratio_interval(
    numerators: Sequence[float],
    denominators: Sequence[float],
    *,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = SEED,
) -> tuple[float, float]:
    """The ``level`` interval of ``sum(numerators) / sum(denominators)`` over resampled units (the reviewer set's
    loss: per researcher, the weight of their pairs ordered wrongly over the weight of all their pairs). A resample
    whose denominators sum to 0 is left out."""
    picks = _resamples(len(numerators), resamples, seed)
    ratios, kept = _ratios(numerators, denominators, picks)
    if not kept.any():
        raise ValueError("every resample has a zero denominator")
    return _bounds(ratios[kept], level)


def paired_ratio_difference(
    after: tuple[Sequence[float], Sequence[float]],
    before: tuple[Sequence[float], Sequence[float]],
    *,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = SEED,
) -> tuple[float, float]:
    """The ``level`` interval of one ratio of sums less another (each a (numerators, denominators) pair over the
    same units, in the same order), the same resample for both (the reviewer set's loss after a change less its loss
    before). A resample where either denominator sums to 0 is left out."""
    if len(before[0]) != len(after[0]):
        raise ValueError(f"{len(after[0])} units against {len(before[0])}: a paired difference needs the same units")
    picks = _resamples(len(after[0]), resamples, seed)
    ratio_after, kept_after = _ratios(*after, picks)
    ratio_before, kept_before = _ratios(*before, picks)
    kept = kept_after & kept_before
    if not kept.any():
        raise ValueError("every resample has a zero denominator")
    return _bounds(ratio_after[kept] - ratio_before[kept], level)


def _ratios(
    numerators: Sequence[float], denominators: Sequence[float], picks: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per resample of ``picks``: the ratio of the picked numerators' sum to the denominators', and whether that
    denominator sum is above 0 (the ratio is 0 where it is not)."""
    top = np.asarray(numerators, dtype=np.float64)
    bottom = np.asarray(denominators, dtype=np.float64)
    if len(top) != len(bottom):
        raise ValueError(f"{len(top)} numerators against {len(bottom)} denominators")
    sums = bottom[picks].sum(axis=1)
    kept = sums > 0
    return np.where(kept, top[picks].sum(axis=1) / np.where(kept, sums, 1.0), 0.0), kept


__all__ = [
    "LEVEL",
    "RESAMPLES",
    "SEED",
    "interval",
    "paired_difference",
    "paired_ratio_difference",
    "ratio_interval",
    "statistic_interval",
]
