"""Vector search: exact equals brute force, HNSW recall, filters before ranking, save/load, refused input."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import numpy as np
import pytest

from graph.errors import StoreError
from graph.search.vector_index import HnswParams, VectorIndex, top_k


def unit(x: np.ndarray) -> np.ndarray:
    normalised: np.ndarray = (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)
    return normalised


def clustered(n: int, dim: int, clusters: int, seed: int, spread: float = 0.35) -> np.ndarray:
    """Unit vectors around ``clusters`` centres with uneven sizes: structured, not uniform on the sphere."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    sizes = rng.dirichlet(np.full(clusters, 0.7))
    members = rng.choice(clusters, size=n, p=sizes)
    return unit(centres[members] + spread * rng.standard_normal((n, dim)) * np.sqrt(dim / 32))


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    rows = np.arange(len(vectors)) if allowed is None else np.flatnonzero(allowed)
    scores = vectors[rows] @ query
    return rows[np.lexsort((rows, -scores))[:k]]


def assert_exact_top_k(
    vectors: np.ndarray, query: np.ndarray, k: int, ids: np.ndarray, scores: np.ndarray, allowed: np.ndarray | None
) -> None:
    """``ids``/``scores`` are a true top k: best first, true scores, nothing left out scores higher (float32 noise
    aside), and equal to brute force wherever scores are more than that noise apart."""
    rows = np.arange(len(vectors)) if allowed is None else np.flatnonzero(allowed)
    truth = vectors[rows].astype(np.float64) @ query.astype(np.float64)
    assert len(ids) == min(k, len(rows)) and set(ids.tolist()) <= set(rows.tolist())
    np.testing.assert_allclose(scores, vectors[ids].astype(np.float64) @ query, atol=1e-6)
    assert np.all(np.diff(scores) <= 1e-6)
    left_out = truth[~np.isin(rows, ids)]
    if len(ids) and left_out.size:
        assert left_out.max() <= scores[-1] + 1e-6
    expected = brute_force(vectors, query, k, allowed)
    clear = np.abs(np.diff(np.sort(truth)[::-1][: len(ids) + 1])).min(initial=1.0) > 1e-5
    if clear:
        assert ids.tolist() == expected.tolist()


def recall_at_10(index: VectorIndex, vectors: np.ndarray, queries: np.ndarray, allowed: np.ndarray | None) -> float:
    hits = 0
    for q in queries:
        found, _ = index.search(q, 10, allowed)
        hits += len(set(found.tolist()) & set(brute_force(vectors, q, 10, allowed).tolist()))
    return hits / (10 * len(queries))


@pytest.fixture(scope="module")
def small() -> np.ndarray:
    return clustered(3_000, 32, 40, seed=1)


@pytest.fixture(scope="module")
def large() -> np.ndarray:
    return clustered(20_000, 64, 200, seed=2)


@pytest.fixture(scope="module")
def large_index(large: np.ndarray) -> VectorIndex:
    return VectorIndex.build(large, exact_below=1_000)


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    """100 held-out vectors from the distribution of ``large`` (same seed, drawn after its 20,000 rows)."""
    return clustered(20_100, 64, 200, seed=2)[20_000:]


@pytest.fixture(scope="module")
def five_thousand(large: np.ndarray) -> dict[str, VectorIndex]:
    """5,000 rows, exact only, and with a graph that every non-empty filter walks (exact_below=0)."""
    return {"exact": VectorIndex.build(large[:5_000]), "hnsw": VectorIndex.build(large[:5_000], exact_below=0)}


def test_top_k_orders_by_score_then_lower_position() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.9, 0.1], dtype=np.float32)
    assert top_k(scores, 3).tolist() == [1, 3, 0]
    assert top_k(scores, 10).tolist() == [1, 3, 0, 2, 4]
    assert top_k(scores, 0).tolist() == []
    with pytest.raises(ValueError, match="k must be 0 or more"):
        top_k(scores, -1)


@pytest.mark.parametrize("k", [1, 10, 2_999, 3_000, 5_000])
def test_exact_search_equals_brute_force(small: np.ndarray, k: int) -> None:
    index = VectorIndex.build(small)
    assert not index.uses_hnsw
    for q in clustered(5, 32, 40, seed=9):
        ids, scores = index.search(q, k)
        assert ids.dtype == np.int64 and scores.dtype == np.float32
        assert_exact_top_k(small, q, k, ids, scores, None)
        if k <= 10:
            assert ids.tolist() == brute_force(small, q, k).tolist()


def test_exact_search_with_filter_ranks_only_allowed_rows(small: np.ndarray) -> None:
    index = VectorIndex.build(small)
    allowed = np.random.default_rng(3).random(len(small)) < 0.1
    q = small[0]  # row 0 is the best match overall; it is filtered out below
    allowed[0] = False
    ids, scores = index.search(q, 10, allowed)
    assert len(ids) == 10 and allowed[ids].all()
    assert_exact_top_k(small, q, 10, ids, scores, allowed)


def test_build_uses_hnsw_from_the_threshold_up(small: np.ndarray) -> None:
    assert not VectorIndex.build(small, exact_below=3_001).uses_hnsw
    assert VectorIndex.build(small, exact_below=3_000).uses_hnsw


def test_hnsw_recall_at_10_on_clustered_vectors(
    large: np.ndarray, large_index: VectorIndex, queries: np.ndarray
) -> None:
    assert large_index.uses_hnsw
    assert recall_at_10(large_index, large, queries, None) >= 0.98


def test_filtered_hnsw_returns_k_allowed_rows_with_high_recall(
    large: np.ndarray, large_index: VectorIndex, queries: np.ndarray
) -> None:
    allowed = np.random.default_rng(4).random(len(large)) < 0.1  # ~2,000 rows > exact_below: the graph is walked
    assert allowed.sum() > large_index.exact_below
    for q in queries[:20]:
        ids, scores = large_index.search(q, 10, allowed)
        assert len(ids) == 10 and allowed[ids].all()
        assert np.all(np.diff(scores) <= 0)
    assert recall_at_10(large_index, large, queries, allowed) >= 0.98


def test_filter_far_from_the_query_still_fills_k(large: np.ndarray, large_index: VectorIndex) -> None:
    q = large[0]
    far = np.argsort(large @ q)[:1_500]  # the rows least like the query: a walk from q meets none early
    allowed = np.zeros(len(large), dtype=bool)
    allowed[far] = True
    ids, scores = large_index.search(q, 10, allowed)
    assert_exact_top_k(large, q, 10, ids, scores, allowed)


def test_filter_excluding_the_query_neighbourhood_keeps_recall(
    large: np.ndarray, large_index: VectorIndex, queries: np.ndarray
) -> None:
    """Like "datasets only" for a query among instruments: the nearest rows are all filtered out."""
    rng = np.random.default_rng(5)
    hits = 0
    for q in queries:
        allowed = rng.random(len(large)) < 0.2
        allowed[np.argsort(-(large @ q))[:300]] = False
        ids, _ = large_index.search(q, 10, allowed)
        assert len(ids) == 10 and allowed[ids].all()
        hits += len(set(ids.tolist()) & set(brute_force(large, q, 10, allowed).tolist()))
    assert hits / (10 * len(queries)) >= 0.98


@pytest.mark.parametrize("mode", ["exact", "hnsw"])
@pytest.mark.parametrize("allowed_rows", [0, 1, 3, 10, 11, 400])
def test_filter_returns_min_of_k_and_allowed(
    large: np.ndarray, five_thousand: dict[str, VectorIndex], mode: str, allowed_rows: int
) -> None:
    index = five_thousand[mode]
    rows = np.random.default_rng(allowed_rows).choice(len(index), size=allowed_rows, replace=False)
    allowed = np.zeros(len(index), dtype=bool)
    allowed[rows] = True
    ids, scores = index.search(large[7], 10, allowed)
    assert len(ids) == len(scores) == min(10, allowed_rows)
    assert_exact_top_k(index.vectors, large[7], 10, ids, scores, allowed)


def test_unfiltered_search_returns_min_of_k_and_rows(small: np.ndarray) -> None:
    tiny = VectorIndex.build(small[:4], exact_below=2)
    assert tiny.uses_hnsw
    assert len(tiny.search(small[0], 10)[0]) == 4
    assert len(tiny.search(small[0], 0)[0]) == 0


@pytest.mark.parametrize("exact_below", [50_000, 1_000], ids=["exact", "hnsw"])
def test_save_and_load_round_trip(small: np.ndarray, tmp_path: Path, exact_below: int) -> None:
    params = HnswParams(m=16, ef_construction=80, ef_search=64)
    index = VectorIndex.build(small, exact_below=exact_below, params=params)
    index.save(tmp_path / "ix")
    loaded = VectorIndex.load(tmp_path / "ix")
    assert (loaded.uses_hnsw, loaded.params, loaded.exact_below) == (index.uses_hnsw, params, exact_below)
    np.testing.assert_array_equal(loaded.vectors, small)
    np.testing.assert_array_equal(np.load(tmp_path / "ix" / "vectors.npy"), small)
    allowed = np.arange(len(small)) % 3 == 0
    for q in small[:5]:
        for mask in (None, allowed):
            for a, b in zip(index.search(q, 10, mask), loaded.search(q, 10, mask), strict=True):
                np.testing.assert_array_equal(a, b)


def test_vectors_outlive_the_index_that_holds_them(small: np.ndarray) -> None:
    index = VectorIndex.build(small, exact_below=1_000)
    view = index.vectors
    del index
    gc.collect()
    np.testing.assert_array_equal(view, small)
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0] = 1.0


@pytest.mark.parametrize("exact_below", [50_000, 1_000], ids=["exact", "hnsw"])
def test_an_all_zero_row_is_indexed_and_scores_zero(small: np.ndarray, exact_below: int) -> None:
    vectors = small.copy()
    vectors[5] = 0  # a document without text
    index = VectorIndex.build(vectors, exact_below=exact_below)
    allowed = np.zeros(len(vectors), dtype=bool)
    allowed[[5, 6]] = True
    ids, scores = index.search(small[5], 2, allowed)
    assert sorted(ids.tolist()) == [5, 6] and dict(zip(ids.tolist(), scores.tolist(), strict=True))[5] == 0.0


def test_build_keeps_its_own_copy(small: np.ndarray) -> None:
    vectors = small.copy()
    index = VectorIndex.build(vectors)
    vectors[:] = 0
    np.testing.assert_array_equal(index.vectors, small)


def test_load_refuses_a_folder_without_an_index(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"rebuild it with VectorIndex\.build"):
        VectorIndex.load(tmp_path)


def test_load_refuses_an_inconsistent_folder(small: np.ndarray, tmp_path: Path) -> None:
    VectorIndex.build(small).save(tmp_path)
    meta = json.loads((tmp_path / "index.json").read_text())
    (tmp_path / "index.json").write_text(json.dumps({**meta, "rows": 10}))
    with pytest.raises(StoreError, match="inconsistent"):
        VectorIndex.load(tmp_path)
    (tmp_path / "index.json").write_text(json.dumps({**meta, "format": "other"}))
    with pytest.raises(StoreError, match="cannot load"):
        VectorIndex.load(tmp_path)


@pytest.mark.parametrize(
    ("vectors", "message"),
    [
        (np.ones((3, 4), dtype=np.float32), "L2-normalised; row 0 has norm 2.0000"),
        (np.full((2, 4), np.nan, dtype=np.float32), "finite"),
        (np.ones(4, dtype=np.float32) / 2, "must be 2-D"),
    ],
)
def test_build_refuses_vectors_that_are_not_unit_rows(vectors: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VectorIndex.build(vectors)


def test_search_refuses_bad_arguments(small: np.ndarray) -> None:
    index = VectorIndex.build(small)
    with pytest.raises(ValueError, match=r"shape \(32,\)"):
        index.search(small[:2], 3)
    with pytest.raises(ValueError, match="L2-normalised"):
        index.search(small[0] * 2, 3)
    with pytest.raises(ValueError, match="k must be 0 or more"):
        index.search(small[0], -1)
    with pytest.raises(ValueError, match="boolean array of shape"):
        index.search(small[0], 3, np.ones(len(small), dtype=np.int8))
    with pytest.raises(ValueError, match="boolean array of shape"):
        index.search(small[0], 3, np.ones(10, dtype=bool))


def test_neighbours_are_each_rows_nearest_others_exactly_and_by_the_graph(
    five_thousand: dict[str, VectorIndex],
) -> None:
    vectors = np.asarray(five_thousand["exact"].vectors, dtype=np.float64)
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -np.inf)
    truth = np.argsort(-scores, axis=1)[:, :5]
    for name, index in five_thousand.items():
        near = index.neighbours(5)
        assert near.shape == (5_000, 5)
        assert not (near == np.arange(5_000)[:, None]).any(), f"{name}: a row is its own neighbour"
        found = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(near.tolist(), truth.tolist(), strict=True)])
        assert found == 1.0 if name == "exact" else found >= 0.95, (name, found)


def test_neighbours_of_an_index_smaller_than_k_are_all_the_other_rows(small: np.ndarray) -> None:
    assert VectorIndex.build(small[:1]).neighbours(5).shape == (1, 0)
    near = VectorIndex.build(small[:3]).neighbours(5)
    assert [sorted(row) for row in near.tolist()] == [[1, 2], [0, 2], [0, 1]]
