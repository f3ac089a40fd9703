"""Fusing ranked lists: reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009).

RRF needs no score calibration between channels (cosine similarities and BM25 scores live on different
scales); each channel can carry a weight. The Neo4j-native candidate search fuses by it
(``graph.search.neo4j_search``); ``/match`` does not: the matcher scores every candidate on every channel and reads a
calibrated fit from that evidence (``graph.search.matcher``, ``graph.search.fit``), since an RRF value says nothing
of how well a result fits.

>>> fuse({"dense": [3, 1, 2], "lexical": [1, 4]}, k=60)[:2]
[(1, 0.03252...), (3, 0.01639...)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

RRF_K = 60


def fuse(
    rankings: Mapping[str, Sequence[int]], *, k: int = RRF_K, weights: Mapping[str, float] | None = None
) -> list[tuple[int, float]]:
    """Items of all rankings ordered by the weighted sum of ``1 / (k + rank)`` (ranks start at 1); ties by item."""
    channels = [
        (np.asarray(r, dtype=np.int64), 1.0 if weights is None else weights.get(c, 1.0)) for c, r in rankings.items()
    ]
    items, scores = fuse_arrays(channels, k=k)
    order = np.lexsort((items, -scores))
    return [(int(items[j]), float(scores[j])) for j in order]


def fuse_arrays(rankings: Sequence[tuple[np.ndarray, float]], *, k: int = RRF_K) -> tuple[np.ndarray, np.ndarray]:
    """``fuse`` over (ranking, weight) pairs, unordered: every item once (ascending) and its fused score.

    An item's terms are added in the order of the rankings, as a loop over them would add them, so the scores are
    the same floats whichever way they are computed.
    """
    items = np.concatenate([np.asarray(r, dtype=np.int64) for r, _ in rankings]) if rankings else np.zeros(0, np.int64)
    terms = [w / (k + np.arange(1, len(r) + 1, dtype=np.float64)) for r, w in rankings]
    unique, inverse = np.unique(items, return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate(terms) if terms else None, minlength=len(unique))
    return unique, scores.astype(np.float64)


__all__ = ["RRF_K", "fuse", "fuse_arrays"]
