"""Reciprocal rank fusion: the array form gives exactly the floats and order of the plain definition."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from graph.search.fusion import RRF_K, fuse, fuse_arrays


def plain_fuse(rankings: list[tuple[list[int], float]], k: int = RRF_K) -> list[tuple[int, float]]:
    """The definition, one item at a time, in the order of the rankings."""
    scores: dict[int, float] = defaultdict(float)
    for ranking, weight in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] += weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def test_array_fusion_equals_the_definition_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        rankings = [
            (rng.choice(300, size=rng.integers(0, 120), replace=False).tolist(), weight)
            for weight in (1.0, float(rng.choice([0.5, 0.7, 1.0])), float(rng.choice([0.0, 0.3])))
        ]
        expected = plain_fuse(rankings)
        items, scores = fuse_arrays([(np.array(r, dtype=np.int64), w) for r, w in rankings])
        order = np.lexsort((items, -scores))
        assert [(int(items[j]), float(scores[j])) for j in order] == expected
        assert (
            fuse(
                {str(c): r for c, (r, _) in enumerate(rankings)},
                weights={str(c): w for c, (_, w) in enumerate(rankings)},
            )
            == expected
        )


def test_ties_are_broken_by_item_and_empty_rankings_give_nothing() -> None:
    # 5 and 9 swap ranks across two equally weighted channels: equal scores, the lower item first
    assert [i for i, _ in fuse({"a": [9, 5], "b": [5, 9]})] == [5, 9]
    items, scores = fuse_arrays([(np.zeros(0, dtype=np.int64), 1.0)])
    assert items.size == 0 and scores.size == 0
    assert fuse({}) == []
