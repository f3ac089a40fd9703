"""Nearest-neighbour search over L2-normalised float32 vectors (cosine = inner product), with filters.

``VectorIndex.build(vectors)`` keeps the vectors and, from ``exact_below`` rows up, adds an HNSW graph
(faiss ``IndexHNSWFlat``, ``METRIC_INNER_PRODUCT``). ``search(query, k, allowed)`` then picks, per call:

- exact search (one matrix-vector product and ``argpartition``) when there is no graph, or when a filter
  leaves at most ``exact_below`` rows: those rows are gathered and scored, so the answer is the true top k;
- otherwise HNSW, unfiltered or with the filter inside the graph walk (``IDSelectorBitmap`` passed in
  ``SearchParametersHNSW``). A filtered walk keeps ``efSearch`` candidates of which only the allowed ones can
  be results, so it needs a larger ``efSearch`` the fewer allowed rows lie near the query. That share is
  measured per query, among its ``ef_search`` nearest rows (one unfiltered walk), and ``efSearch`` is set to
  ``max(ef_search / sqrt(local share), k / local share)``: 1,215 for a 10% filter spread evenly. Raw faiss at
  100,000 rows with a 10% filter and efSearch left unraised lost recall (see the table). A filter that is much
  rarer near the query than overall (below 1/8 of its overall share: say, datasets only, for a query among
  instruments) defeats the walk, which would return allowed rows, but not the nearest, so such a search, and
  any walk that brings back fewer than k, is answered exactly over the allowed rows.

Filters therefore act before ranking, never by dropping results after truncation, and every search returns
exactly ``min(k, allowed rows)`` results, best first, ties broken by the lower row id.

Why faiss, and these parameters. ``benchmarks/ann.py`` (results in ``benchmarks/results/ann.md``): 7,223 real
MiniLM embeddings of dataset descriptions and NSF abstracts, grown to 100,000 and 1,000,000 rows by anisotropic
Gaussian perturbation; 1,000 real paper titles as queries (and 1,000 held-out grown rows); k = 10, one query
per call; 2-core x86_64 shared with other jobs (load average about 6.5, so times are pessimistic)::

                                         build  bytes/vec  p50 / p95  recall@10      10% filter:
                                           s    (RSS)      ms         titles / held  p50 ms, recall@10
    100k faiss   M=16 efC=100 ef=128      43     1,709   0.33 / 0.45  0.994 / 0.998  1.03, 0.994 (a)
    100k hnswlib M=16 efC=100 ef=128      41     1,844   0.33 / 0.42  0.997 / 0.999  3.13, 0.9995 (b)
    100k faiss   M=32 efC=100 ef=128      48     1,822   0.48 / 0.65  0.996 / 0.998  1.32, 0.997 (a)
    100k hnswlib M=32 efC=100 ef=128      35     1,948   0.43 / 0.70  0.998 / 1.000  7.38, 0.9995 (b)
    1M   VectorIndex M=16 efC=100 ef=384  491    1,695   1.12 / 5.27  0.984 / 0.997  5.70, 0.995 (c)
    1M   same graph, ef=128 / 256 / 512           0.41 / 0.69 / 1.38  0.947 / 0.978 / 0.991 (titles)
    exact (numpy einsum), 100k / 1M        0     1,536   12 / 100 (p50)  1
    (a) efSearch raised to 405, as VectorIndex does (above); left at 128, faiss found only 0.945 (M=16) / 0.964 (M=32)
    (b) hnswlib widens the walk by itself, calling a Python filter per visited node; at ef=64: 1.80 ms, 0.9985
    (c) efSearch set per query as above (1,215 for an even filter), the probe walk included

faiss and hnswlib are one algorithm: unfiltered, the same recall, speed and size, and filtered, at equal
recall, about the same cost here. What decides: this module needs the vectors for exact search, and faiss'
stored vectors can be read in place (``vectors`` is a view into the index: one copy, where hnswlib's
``get_items`` copies, a second 1.5 GB at 1M rows); faiss sets ``efSearch`` per call, where hnswlib's ``set_ef``
changes the index shared by concurrent requests; and hnswlib's filter is a Python function called for every
visited node, under the GIL each time, where faiss tests a bitmap in C++. M=32 gained at most 0.002 recall
at 100k for 110 more bytes per vector and, in quieter runs, 1.5 to 1.8 times the build time; raising efSearch
is the cheaper lever. efSearch 384
is the smallest measured that keeps recall@10 for real queries at 1M rows at 0.98 or more: real titles are
harder than held-out rows, as they fall between clusters. The 1M build took 491 s on the shared 2 cores (a
quieter earlier run built 100k rows in 15 s, against 43 s here, so expect well under half on an idle machine).

Since the search index keeps one ``VectorIndex`` per resource type, searches are unfiltered and the defaults
were measured again on ``benchmarks/match.py``'s data (each sample resource grown into ~190 near-duplicates, so
a need's top 10 lie among many almost equal neighbours) with 54 to 64 real queries (its needs, their sentences,
a few short ones): recall@10 of the types' HNSW graphs at 1M resources (186k / 279k / 522k rows), and p50 ms
(a shared machine, load 2 to 5)::

    efConstruction 100, efSearch  384:  0.881 / 0.941 / 0.906   0.6
    efConstruction 100, efSearch 1024:  0.955 / 0.984 / 0.966   1.4 to 2.0
    efConstruction 100, efSearch 2048:  0.978 / 0.994 / 0.988   3.2 to 4.3
    M 32, efConstruction 100, efSearch 1536 (186k only): 0.976, 3.9
    efConstruction 200, efSearch 1024 (186k only): 0.983, 2 to 3; build about 2.5 times as long

A better-built graph is the cheaper lever for these queries: efConstruction 200 and efSearch 1024 are the
defaults (``benchmarks/results/match.md`` reports the recall of every type's graph on each run).

Vectors are checked on the way in (finite, unit length within 1e-3; indexed rows may also be all zero, for a
document without text, which then scores 0): an unnormalised vector would make inner product mean something
other than cosine, so it is refused rather than silently rescaled.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from graph.errors import StoreError
from graph.search.index_meta import read_meta, write_meta

__all__ = ["DEFAULT_EXACT_BELOW", "HnswParams", "VectorIndex", "check_allowed", "top_k"]

DEFAULT_EXACT_BELOW = 50_000
FORMAT = "sharekg-vector-index"
FORMAT_VERSION = 1
META_FILE = "index.json"
VECTORS_FILE = "vectors.npy"
HNSW_FILE = "hnsw.faiss"
NORM_TOLERANCE = 1e-3
LOCAL_SHARE_FLOOR = 8  # a filter whose share near the query is 8 times below its overall share is searched exactly
NEIGHBOUR_SCORES = 1 << 24  # scores per block when finding every row's nearest neighbours exactly (64 MB)
NEIGHBOUR_BLOCK = 4096  # rows per HNSW call when finding them by the graph
NEIGHBOUR_EF = 64  # efSearch of that walk: its k is small, and it runs once per row of the index


@dataclass(frozen=True)
class HnswParams:
    """HNSW settings: ``m`` links per node, ``ef_construction`` at build, ``ef_search`` per query (at least k)."""

    m: int = 16
    ef_construction: int = 200
    ef_search: int = 1024


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest ``scores``, best first, ties by lower position (int64)."""
    if k < 0:
        raise ValueError(f"k must be 0 or more, got {k}")
    if k == 0:
        return np.empty(0, dtype=np.int64)
    candidates = np.arange(scores.shape[0])
    if k < scores.shape[0]:
        # argpartition splits ties at the k-th score arbitrarily: keep every row at least as high
        kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
        candidates = np.flatnonzero(scores >= kth)
    order = np.lexsort((candidates, -scores[candidates]))[:k]
    return candidates[order].astype(np.int64)


def check_allowed(allowed: np.ndarray, rows: int) -> np.ndarray:
    """``allowed`` as a boolean mask over ``rows`` rows, or ``ValueError`` saying what is wrong with it."""
    mask = np.asarray(allowed)
    if mask.dtype != np.bool_ or mask.shape != (rows,):
        raise ValueError(f"allowed must be a boolean array of shape ({rows},), got {mask.dtype} {mask.shape}")
    return mask


def _check_vectors(vectors: np.ndarray, what: str, *, allow_zero: bool = False) -> np.ndarray:
    """``vectors`` as C-contiguous float32, or ``ValueError`` unless each is finite and of unit length.

    With ``allow_zero``, all-zero rows pass too (a document without text: it scores 0 against every query).
    """
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.sqrt(np.einsum("...i,...i->...", array, array, dtype=np.float64))  # no (n, dim) temporary
    good = np.abs(norms - 1) <= NORM_TOLERANCE  # NaN and inf are not good either
    if allow_zero:
        good |= norms == 0
    bad = np.flatnonzero(~good)
    if bad.size:
        raise ValueError(
            f"{what} must be finite and L2-normalised; row {bad[0]} has norm {norms.flat[bad[0]]:.4f}: "
            "divide by np.linalg.norm(x, axis=-1, keepdims=True) first"
        )
    return array


class VectorIndex:
    """Vectors with exact search, plus an HNSW graph when there are many. Make one with ``build`` or ``load``."""

    def __init__(self, vectors: np.ndarray, hnsw: faiss.IndexHNSWFlat | None, params: HnswParams, exact_below: int):
        self._vectors = vectors
        self._hnsw = hnsw
        self.params = params
        self.exact_below = exact_below

    @classmethod
    def build(
        cls, vectors: np.ndarray, *, exact_below: int = DEFAULT_EXACT_BELOW, params: HnswParams | None = None
    ) -> VectorIndex:
        """Index ``vectors`` (n, dim), unit length; HNSW when ``n >= exact_below``, else exact search only.

        Building the graph uses every core faiss is allowed (``faiss.omp_set_num_threads``).
        """
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be 2-D (rows, dim), got shape {vectors.shape}")
        array = _check_vectors(vectors, "vectors", allow_zero=True)
        params = params or HnswParams()
        if array.shape[0] < exact_below:
            return cls(array.copy() if array is vectors else array, None, params, exact_below)
        hnsw = faiss.IndexHNSWFlat(array.shape[1], params.m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = params.ef_construction
        hnsw.hnsw.efSearch = params.ef_search
        hnsw.add(array)
        return cls(_stored_vectors(hnsw), hnsw, params, exact_below)

    def __len__(self) -> int:
        return int(self._vectors.shape[0])

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    @property
    def vectors(self) -> np.ndarray:
        """The indexed vectors (read-only view; row i is id i)."""
        view = self._vectors.view()
        view.flags.writeable = False
        return view

    @property
    def uses_hnsw(self) -> bool:
        return self._hnsw is not None

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``min(k, allowed rows)`` rows nearest ``query`` (dim,): ``(ids int64, scores float32)``, best first.

        ``allowed`` is a boolean mask over the rows; rows outside it are never returned and never crowd
        allowed rows out of the top k.
        """
        if k < 0:
            raise ValueError(f"k must be 0 or more, got {k}")
        if query.shape != (self.dim,):
            raise ValueError(f"query must have shape ({self.dim},), got {query.shape}")
        q = _check_vectors(query, "query")
        if allowed is None:
            if self._hnsw is None:
                return self._exact(q, k, None)
            return self._hnsw_search(q, min(k, len(self)), None, 1.0)
        mask = check_allowed(allowed, len(self))
        count = int(mask.sum())
        if self._hnsw is None or count <= self.exact_below:
            return self._exact(q, k, np.flatnonzero(mask))
        return self._hnsw_search(q, min(k, count), mask, count / len(self))

    def neighbours(self, k: int) -> np.ndarray:
        """Each row's ``min(k, rows - 1)`` nearest other rows, ``(rows, k')`` int64, in no particular order (the
        catalogue's nearest-neighbour graph). Exact when there is no HNSW graph, a block of rows at a time (one
        matrix product each, of at most ``NEIGHBOUR_SCORES`` scores); else by the graph's own walk, a block of rows per
        call, at ``NEIGHBOUR_EF`` (approximate, as every search of the graph is)."""
        n = len(self)
        want = min(k, n - 1)
        if want <= 0:
            return np.zeros((n, 0), dtype=np.int64)
        out = np.empty((n, want), dtype=np.int64)
        block = max(1, NEIGHBOUR_SCORES // n) if self._hnsw is None else NEIGHBOUR_BLOCK
        for start in range(0, n, block):
            stop = min(start + block, n)
            own = np.arange(start, stop)
            if self._hnsw is None:
                scores = self._vectors[start:stop] @ self._vectors.T
                scores[own - start, own] = -np.inf  # not its own neighbour
                near = np.argpartition(-scores, want, axis=1)[:, :want]
            else:
                ef = max(NEIGHBOUR_EF, want + 1)
                _, found = self._hnsw.search(self._vectors[start:stop], want + 1, params=_hnsw_params(ef, None))
                near = np.array([_others(row, i, want) for i, row in zip(own.tolist(), found, strict=True)])
            out[start:stop] = near
        return out

    def _exact(self, q: np.ndarray, k: int, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        # einsum, not `@`: one query is a matrix-vector product, where OpenBLAS' threaded sgemv took 8 ms for
        # 20,000 x 384 on these 2-core machines and einsum's single-threaded loop 1.5 ms
        scores = np.einsum("ij,j->i", self._vectors if rows is None else self._vectors[rows], q)
        order = top_k(scores, k)
        return (order if rows is None else rows[order].astype(np.int64)), scores[order]

    def _hnsw_search(
        self, q: np.ndarray, want: int, mask: np.ndarray | None, share: float
    ) -> tuple[np.ndarray, np.ndarray]:
        assert self._hnsw is not None
        if want == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        ef = max(self.params.ef_search, want)
        bits = None
        if mask is not None:
            # How many allowed rows lie where the walk will go: the share among the query's ef nearest rows.
            _, near = self._hnsw.search(q[None, :], ef, params=_hnsw_params(ef, None))
            local = float(mask[near[0][near[0] >= 0]].mean()) if (near[0] >= 0).any() else 0.0
            if local < share / LOCAL_SHARE_FLOOR:
                return self._exact(q, want, np.flatnonzero(mask))
            ef = math.ceil(max(ef / math.sqrt(local), want / local))
            bits = np.packbits(mask, bitorder="little")  # row i is bit i % 8 of byte i // 8
        selector = faiss.IDSelectorBitmap(bits.size, faiss.swig_ptr(bits)) if bits is not None else None
        scores, ids = self._hnsw.search(q[None, :], want, params=_hnsw_params(ef, selector))
        if (ids[0] >= 0).all():
            return _sorted(ids[0].astype(np.int64), scores[0].astype(np.float32))
        # Fewer than `want` allowed rows met: answer exactly rather than return fewer.
        return self._exact(q, want, np.flatnonzero(mask) if mask is not None else None)

    def save(self, folder: Path) -> None:
        """Write ``vectors.npy``, the graph as faiss writes it (``hnsw.faiss``) and ``index.json`` to ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / VECTORS_FILE, self._vectors, allow_pickle=False)
        if self._hnsw is not None:
            faiss.write_index(self._hnsw, str(folder / HNSW_FILE))
        meta = {
            "rows": len(self),
            "dim": self.dim,
            "exact_below": self.exact_below,
            "hnsw": self._hnsw is not None,
            "params": asdict(self.params),
            "faiss": faiss.__version__,
        }
        write_meta(folder / META_FILE, FORMAT, FORMAT_VERSION, meta)

    @classmethod
    def load(cls, folder: Path) -> VectorIndex:
        """Read an index written by ``save``; ``StoreError`` when the folder does not hold a consistent one."""
        try:
            meta = read_meta(folder / META_FILE, FORMAT, FORMAT_VERSION)
            params = HnswParams(**meta["params"])
            if meta["hnsw"]:
                hnsw = faiss.read_index(str(folder / HNSW_FILE))  # typed by faiss: IndexHNSWFlat
                if not isinstance(hnsw, faiss.IndexHNSWFlat):
                    raise ValueError(f"{HNSW_FILE} holds a {type(hnsw).__name__}, not an IndexHNSWFlat")
                vectors = _stored_vectors(hnsw)
                np.load(folder / VECTORS_FILE, mmap_mode="r", allow_pickle=False)  # present and readable
            else:
                hnsw = None
                vectors = np.load(folder / VECTORS_FILE, allow_pickle=False)
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
            raise StoreError(
                f"cannot load a vector index from {folder}: {e}; rebuild it with VectorIndex.build(...).save(folder)"
            ) from e
        if vectors.shape != (meta["rows"], meta["dim"]) or vectors.dtype != np.float32:
            raise StoreError(
                f"vector index in {folder} is inconsistent: index.json says {meta['rows']} x {meta['dim']} float32, "
                f"the stored vectors are {vectors.shape} {vectors.dtype}; rebuild it"
            )
        return cls(vectors, hnsw, params, int(meta["exact_below"]))


def _stored_vectors(hnsw: faiss.IndexHNSWFlat) -> np.ndarray:
    """The vectors faiss holds, as a numpy view of its memory (no copy) that keeps ``hnsw`` alive."""
    storage = faiss.downcast_index(hnsw.storage)
    assert isinstance(storage, faiss.IndexFlat)
    flat = faiss.rev_swig_ptr(storage.get_xb(), storage.ntotal * storage.d)
    return np.asarray(_Owned(flat.reshape(storage.ntotal, storage.d), hnsw))


class _Owned:
    """An array interface that holds the object owning the memory, so a view cannot outlive it."""

    def __init__(self, array: np.ndarray, owner: object) -> None:
        self.__array_interface__ = array.__array_interface__
        self._owner = owner


def _hnsw_params(ef: int, selector: faiss.IDSelector | None) -> faiss.SearchParameters:
    """Per-call HNSW search settings (faiss' stubs omit ``SearchParametersHNSW``)."""
    params: faiss.SearchParameters = faiss.SearchParametersHNSW(efSearch=ef, sel=selector)  # type: ignore[attr-defined]
    return params


def _others(found: np.ndarray, row: int, want: int) -> np.ndarray:
    """``want`` of the rows an HNSW walk from ``row`` found, best first, without ``row`` itself (or faiss' -1 for
    rows not found)."""
    others: np.ndarray = found[(found != row) & (found >= 0)][:want]
    if len(others) < want:  # the walk found too few (a graph in pieces): the lowest other rows make up the rest
        spare = np.setdiff1d(np.arange(want + 1), np.append(others, row))[: want - len(others)]
        others = np.concatenate([others, spare])
    return others


def _sorted(ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((ids, -scores))
    return ids[order], scores[order]
