"""Expert matching checked on held-out authorship: each researcher's newest work asked as a need of the others.

Usage: python benchmarks/expert_authorship.py [--shared ../shared] [--cache embeddings.sqlite]
       [--temperatures 0.03 0.05 0.1 0.2] [--out benchmarks/results]

The reviewer set (``sharekg eval reviewer``) rates 126 pairs of 15 researchers: too few to choose how an expert's
works make up their similarity. Two expert pools of ``../shared/data`` with clean licences give many more needs
whose right answer is known: the OpenAlex profiles (CC0; 124 researchers, papers) and the NSF investigators (public
domain; 1,500 researchers, award abstracts). For every researcher with at least ``MIN_WORKS`` works with an abstract,
their newest one is held out (removed from every profile that holds it, so a co-author's too), and its title and
abstract are asked of the rest as a need, through ``Matcher.match`` as ``/match`` asks it (experts only, the
first ``TOP_K``; no floor and no diversity cap, as ``sharekg eval`` asks). Its authors are the right answer. Two
figures per method, one for each direction the product ranks in:

- **MRR**: the reciprocal rank of the need's first author among the experts (``/match``: which experts for a need);
- **across-needs loss**: per researcher with a held-out work, the share of (their held-out need, another's) pairs
  in which the other need scores them higher (1 - AUC; ties half; a need they are not in the first ``TOP_K`` of
  scores 0), averaged over researchers: what the reviewer set's pairwise loss measures, which needs an expert knows
  best (a fit that means the same for every need);
- **the fit against authorship** (``sharekg`` only): the expected calibration error of its first
  ``CALIBRATION_DEPTH`` experts' fits, judged by authorship as ``sharekg eval`` judges a result by the judgements, and
  per band the share of results that wrote the need. The fit is calibrated on datasets and instrument types
  (``benchmarks/results/calibration.md``), no expert among them: this is how it reads for people.

Methods: ``bm25`` and ``cosine`` (the profile's mean vector) alone, and ``sharekg`` (the full matcher) at each
``--temperature`` of an expert's works (``graph.search.evidence.WORKS_TEMPERATURE``; the first is the committed
value unless given). Authorship is not expertise (a co-author may know a paper's topic less than a peer who did not
write it), so this checks the expert path's direction, not the reviewer target. Each figure comes with its 90 %
bootstrap interval (needs, or researchers, resampled). Writes expert-authorship.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # first: benchmarks/ingest.py would shadow ingest

from api.evaluate import CALIBRATION_DEPTH, METHODS, Judged, calibration, ece_interval
from graph.evaluation.uncertainty import interval
from graph.search import EmbeddingCache, Filters, Matcher, SearchIndex, SentenceTransformerEmbedder
from graph.search import evidence as works_model
from graph.search.fit import band_of
from graph.store import open_store
from ingest.pipeline import ingest_source, plan

REPO = Path(__file__).resolve().parents[1]
MIN_WORKS = 3  # works with an abstract a researcher needs for one to be held out (two or more stay)
TOP_K = 20  # each result is explained, as /match explains it: 100 per need took about a second
NEED_CHARS = 4_000  # a held-out work's title and abstract, cut here (a few abstracts run past the matcher's limit)


@dataclass(frozen=True)
class HeldOut:
    """A held-out work asked as a need: its id, its text, and the experts (source ids) who wrote it."""

    work: str
    text: str
    authors: frozenset[str]


def _openalex(source: Path, folder: Path) -> list[HeldOut]:
    """The OpenAlex pool with each researcher's newest work with an abstract held out, written to ``folder``."""
    authors = [json.loads(line) for line in (source / "authors.jsonl").read_text("utf-8").splitlines()]
    works = {w["work_id"]: w for w in map(json.loads, (source / "works.jsonl").read_text("utf-8").splitlines())}
    held: dict[str, dict[str, object]] = {}
    for author in authors:
        mine = [works[w] for w in author["work_ids"] if w in works and works[w]["abstract"].strip()]
        if len(mine) >= MIN_WORKS:
            newest = max(mine, key=lambda w: (w["publication_year"] or 0, w["work_id"]))
            held[str(newest["work_id"])] = newest
    folder.mkdir(parents=True)
    shutil.copy(source / "SOURCE.md", folder / "SOURCE.md")
    with (folder / "authors.jsonl").open("w", encoding="utf-8") as out:
        for author in authors:
            out.write(json.dumps({**author, "work_ids": [w for w in author["work_ids"] if w not in held]}) + "\n")
    with (folder / "works.jsonl").open("w", encoding="utf-8") as out:
        for key, work in works.items():
            if key not in held:
                out.write(json.dumps(work) + "\n")
    ids = {a["author_id"] for a in authors}
    needs = []
    for key, work in held.items():
        wrote = {str(a["author_id"]) for a in work["authors"]} & ids  # type: ignore[attr-defined]
        needs.append(HeldOut(key, f"{work['title']}. {work['abstract']}"[:NEED_CHARS], frozenset(wrote)))
    return needs


def _nsf(source: Path, folder: Path) -> list[HeldOut]:
    """The NSF investigators with each one's newest award with an abstract held out, written to ``folder``."""
    people = [json.loads(line) for line in (source / "experts.jsonl").read_text("utf-8").splitlines()]
    held: dict[str, dict[str, str]] = {}
    for person in people:
        awards = [a for a in person["awards"] if a["abstract"].strip()]
        if len(awards) >= MIN_WORKS:
            newest = max(awards, key=lambda a: (a["start_date"], a["award_id"]))
            held[newest["award_id"]] = newest
    authors: dict[str, set[str]] = {}
    folder.mkdir(parents=True)
    shutil.copy(source / "SOURCE.md", folder / "SOURCE.md")
    with (folder / "experts.jsonl").open("w", encoding="utf-8") as out:
        for person in people:
            for award in person["awards"]:
                if award["award_id"] in held:
                    authors.setdefault(award["award_id"], set()).add(person["expert_id"])
            rest = [a for a in person["awards"] if a["award_id"] not in held]
            if rest:
                out.write(json.dumps({**person, "awards": rest}) + "\n")
    return [HeldOut(k, f"{a['title']}. {a['abstract']}"[:NEED_CHARS], frozenset(authors[k])) for k, a in held.items()]


POOLS: dict[str, tuple[str, Callable[[Path, Path], list[HeldOut]]]] = {
    "openalex": ("openalex-experts", _openalex),
    "nsf-pi": ("nsf-pi-experts", _nsf),
}


def _index(folder: Path, embedder: SentenceTransformerEmbedder, cache: EmbeddingCache) -> SearchIndex:
    store = open_store(None)
    for source_plan in plan([folder], source="authorship"):
        ingest_source(store, source_plan, None)
    index = SearchIndex.build(store, embedder, cache, types=("Expert",))
    store.close()
    return index


def _scores(
    matcher: Matcher, needs: list[HeldOut], bm25_only: bool
) -> tuple[list[dict[str, float]], list[Judged]]:  # fmt: skip
    """Per need, each of its first ``TOP_K`` experts' score (source id -> the fit, or BM25 alone); and its first
    ``CALIBRATION_DEPTH`` experts' fits, each judged by whether the expert wrote the held-out work."""
    out, judged = [], []
    k = min(TOP_K, len(matcher.index.docs))
    for need in needs:
        found = matcher.match(need.text, Filters(types=("Expert",)), k=k).results["Expert"]
        out.append({r.iri.rsplit("/", 1)[-1]: r.explanation.signals["bm25"] if bm25_only else r.score for r in found})
        for r in found[:CALIBRATION_DEPTH]:
            wrote = r.iri.rsplit("/", 1)[-1] in need.authors
            signals = r.explanation.signals
            judged.append(Judged(r.explanation.own_similarity, signals["bm25"], 0, r.fit, wrote, need.work))
    return out, judged


def _reliability(judged: list[Judged]) -> dict[str, object]:
    """How the expert fit reads against authorship: its expected calibration error (as ``sharekg eval`` computes
    it, with its interval over needs) and, per band, the results in it and the share an author of the need."""
    bands: dict[str, list[bool]] = {}
    for j in judged:
        bands.setdefault(band_of(j.fit), []).append(j.relevant)
    found = calibration(judged)
    return {
        "ece": found["ece"],
        "ece_interval": [round(v, 4) for v in ece_interval(judged)],
        "share_authors": round(float(np.mean([j.relevant for j in judged])), 4),
        "mean_fit": round(float(np.mean([j.fit for j in judged])), 4),
        "bands": {b: {"results": len(v), "authors": round(float(np.mean(v)), 4)} for b, v in sorted(bands.items())},
        "bins": found["bins"],
    }


def _figures(needs: list[HeldOut], scores: list[dict[str, float]], indexed: set[str]) -> dict[str, object]:
    """MRR over the needs and the across-needs loss over the indexed researchers who wrote one of them."""
    reciprocal = []
    for need, scored in zip(needs, scores, strict=True):
        ranked = sorted(scored, key=lambda e: -scored[e])
        first = next((i for i, e in enumerate(ranked) if e in need.authors), None)
        reciprocal.append(0.0 if first is None else 1.0 / (1 + first))
    losses = []
    for expert in sorted({a for need in needs for a in need.authors} & indexed):
        own = np.array([s.get(expert, 0.0) for n, s in zip(needs, scores, strict=True) if expert in n.authors])
        other = np.array([s.get(expert, 0.0) for n, s in zip(needs, scores, strict=True) if expert not in n.authors])
        if len(own) and len(other):
            x, y = own[:, None], other[None, :]
            losses.append(float((x < y).mean() + 0.5 * (x == y).mean()))
    return {
        "mrr": round(float(np.mean(reciprocal)), 4),
        "mrr_interval": [round(v, 4) for v in interval(reciprocal)],
        "loss": round(float(np.mean(losses)), 4),
        "loss_interval": [round(v, 4) for v in interval(losses)],
        "needs": len(needs),
        "researchers": len(losses),
    }


def run(shared: Path, cache_path: Path, temperatures: list[float], pools: list[str]) -> Iterator[dict[str, object]]:
    embedder = SentenceTransformerEmbedder.load(device="cpu")
    cache = EmbeddingCache(cache_path)
    committed = works_model.WORKS_TEMPERATURE
    try:
        for pool in pools:
            folder_name, write = POOLS[pool]
            with tempfile.TemporaryDirectory(prefix="sharekg-authorship-") as tmp:
                folder = Path(tmp) / folder_name
                needs = write(shared / "data" / folder_name, folder)
                started = time.perf_counter()
                index = _index(folder, embedder, cache)
                built = time.perf_counter() - started
            indexed = {doc.iri.rsplit("/", 1)[-1] for doc in index.docs}
            for method in ("bm25", "cosine"):
                scores, _ = _scores(Matcher(index, embedder, METHODS[method]), needs, method == "bm25")
                yield {"pool": pool, "method": method, "index_s": round(built, 1), **_figures(needs, scores, indexed)}
            for temperature in temperatures:
                works_model.WORKS_TEMPERATURE = temperature
                scores, judged = _scores(Matcher(index, embedder, METHODS["sharekg"]), needs, False)
                yield {
                    "pool": pool,
                    "method": "sharekg",
                    "temperature": temperature,
                    **_figures(needs, scores, indexed),
                    "fit": _reliability(judged),
                }
    finally:
        works_model.WORKS_TEMPERATURE = committed
        cache.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--cache", type=Path, default=REPO / "var" / "embeddings.sqlite", help="embedding cache")
    parser.add_argument("--temperatures", type=float, nargs="+", default=[works_model.WORKS_TEMPERATURE])
    parser.add_argument("--pools", nargs="+", choices=list(POOLS), default=list(POOLS))
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    print("| pool | method | needs | MRR (90 % interval) | across-needs loss (90 % interval) |")
    print("| --- | --- | ---: | --- | --- |")
    for row in run(args.shared, args.cache, args.temperatures, args.pools):
        rows.append(row)
        name = f"{row['method']}, T {row['temperature']}" if "temperature" in row else str(row["method"])
        mrr, loss = row["mrr_interval"], row["loss_interval"]
        print(
            f"| {row['pool']} | {name} | {row['needs']} | {row['mrr']} ({mrr[0]} to {mrr[1]}) | "  # type: ignore[index]
            f"{row['loss']} ({loss[0]} to {loss[1]}) |",  # type: ignore[index]
            flush=True,
        )
        if "fit" in row:
            print(f"  the fit against authorship, first {CALIBRATION_DEPTH}: {json.dumps(row['fit'])}", flush=True)
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    (args.out / "expert-authorship.json").write_text(json.dumps({**meta, "rows": rows}, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
