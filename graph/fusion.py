"""Fusing ranked lists: reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009).

RRF needs no score calibration between channels (cosine similarities and BM25 scores live on different
scales), which is why it is the default; each channel can carry a weight.

>>> fuse({"dense": [3, 1, 2], "lexical": [1, 4]}, k=60)[:2]
[(1, 0.03252...), (3, 0.01639...)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

RRF_K = 60


def fuse(
    rankings: Mapping[str, Sequence[int]], *, k: int = RRF_K, weights: Mapping[str, float] | None = None
) -> list[tuple[int, float]]:
    """Items of all rankings ordered by the weighted sum of ``1 / (k + rank)`` (ranks start at 1); ties by item."""
    scores: dict[int, float] = defaultdict(float)
    for channel, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(channel, 1.0)
        for rank, item in enumerate(ranking, start=1):
            scores[item] += weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


__all__ = ["RRF_K", "fuse"]
