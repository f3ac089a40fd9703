"""``sharekg eval``: score matching against relevance judgements passed in by path.

Every method runs through the product: the candidate corpus is ingested with sharekg's own readers into a
store in memory, indexed like the real graph, and ranked by the matcher. The baselines are the matcher
with one channel (BM25 alone; cosine alone over the same document text), computed in the same run.
Nothing of the evaluation data reaches matching code beyond the query text of each request.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from graph.evaluation import (
    LEVEL,
    RESAMPLES,
    EvalSet,
    Paper,
    Query,
    Scores,
    evaluate,
    evaluate_reviewer_terms,
    interval,
    load_chmo,
    load_datafinder,
    load_reviewer,
    load_reviewer_profiles,
    loss_of_terms,
    obo_curie,
    paired_difference,
    ratio_interval,
    statistic_interval,
)
from graph.search import Embedder, EmbeddingCache, Filters, Matcher, MatchResult, ResourceDoc, SearchIndex, Weights
from graph.store import open_store
from ingest.pipeline import ingest_source, plan

#: The methods every ranking task reports: two baselines and sharekg's fused matcher.
METHODS: dict[str, Weights] = {
    "bm25": Weights(dense=False, lexical=True, graph=False, floor=0.0, diverse=False, centrality=False),
    "cosine": Weights(dense=True, lexical=False, graph=False, floor=0.0, diverse=False, centrality=False),
    "graph": Weights(dense=False, lexical=False, graph=True, floor=0.0, diverse=False, centrality=False),
    "sharekg": Weights(floor=0.0, diverse=False),
}
TOP_K = 100


@dataclass(frozen=True, slots=True)
class RankingTask:
    name: str
    doc_type: str
    load: Callable[[Path], EvalSet]
    text_of: Callable[[Query], str]


def _label_and_definition(query: Query) -> str:
    return f"{query.text}. {query.definition}" if query.definition else query.text


TASKS = {
    "datafinder": RankingTask("datafinder", "Dataset", load_datafinder, lambda q: q.text),
    "chmo": RankingTask("chmo", "Subject", load_chmo, _label_and_definition),
}


def candidate_id(doc: ResourceDoc) -> str:
    """The id a judgement file uses for a document: a dataset's local id, a concept's OBO CURIE."""
    if doc.type == "Subject":
        return obo_curie(doc.iri)
    return unquote(doc.iri.rsplit("/", 1)[-1])


@dataclass(frozen=True, slots=True)
class Judged:
    """One shown result of the full matcher, for calibration: its evidence, its fit, and whether it was judged
    relevant."""

    similarity: float  # the best of its own cosine and the graph's evidence
    bm25: float  # of the need's own terms
    words: int  # the need's length
    fit: float
    relevant: bool
    query_id: str = ""
    floor_evidence: float = 0.0  # the evidence of the need as written, what the floor reads (MatchResult)
    centrality: float = 0.0  # what its centrality among its kind adds to its evidence (graph.search.fit)
    feedback: float = 0.0  # BM25 of the terms borrowed from the need's nearest documents (a glossed need's)


@dataclass(frozen=True, slots=True)
class RankingRun:
    scores: dict[str, Scores]  # per method
    judged: list[Judged]  # the full matcher's top CALIBRATION_DEPTH results of every query
    query_ids: tuple[str, ...] = ()  # the judged queries, in the order of each Scores' ndcg_per_query


#: Results per query whose fit is checked against the judgements (what a person sees first).
CALIBRATION_DEPTH = 10


def eval_index(
    task: RankingTask, corpus: list[Path], embedder: Embedder, cache: EmbeddingCache, mapping: Path | None = None
) -> SearchIndex:
    """``corpus`` ingested by sharekg's own readers into a store in memory and indexed as the real graph is."""
    store = open_store(None)
    for source_plan in plan(corpus, source=f"eval-{task.name}", mapping=mapping):
        ingest_source(store, source_plan, None)
    index = SearchIndex.build(store, embedder, cache, types=(task.doc_type,))
    store.close()
    return index


def run_ranking_task(
    task: RankingTask,
    queries: Path,
    corpus: list[Path],
    embedder: Embedder,
    cache: EmbeddingCache,
    mapping: Path | None = None,
    index: SearchIndex | None = None,
) -> RankingRun:
    """Ingest ``corpus`` into a store in memory, index it (or take ``index``, built so by ``eval_index``), and score
    every method on the task's queries; the full matcher's first results are kept with their judgements, for
    calibration."""
    eval_set = task.load(queries)
    if index is None:
        index = eval_index(task, corpus, embedder, cache, mapping)
    candidates = [candidate_id(d) for d in index.docs]
    results = {}
    judged: list[Judged] = []
    for method, weights in METHODS.items():
        matcher = Matcher(index, embedder, weights)
        responses: dict[str, list[MatchResult]] = {}

        def rank(text: str, m: Matcher = matcher, seen: dict[str, list[MatchResult]] = responses) -> list[str]:
            found = m.match(text, Filters(types=(task.doc_type,)), k=TOP_K).results[task.doc_type]
            seen[text] = found
            return [candidate_id(doc) for r in found if (doc := m.index.doc(r.iri)) is not None]

        results[method] = evaluate(eval_set, rank, TOP_K, candidates=candidates, text_of=task.text_of)
        if method == "sharekg":
            judged = _judged(eval_set, task, matcher, responses)
    return RankingRun(results, judged, tuple(eval_set.qrels))


def _judged(
    eval_set: EvalSet, task: RankingTask, matcher: Matcher, responses: Mapping[str, list[MatchResult]]
) -> list[Judged]:
    out = []
    for query_id, query in eval_set.queries.items():
        relevant = {item for item, grade in eval_set.qrels[query_id].items() if grade > 0}
        text = task.text_of(query)
        # the need's length as the fit counts it: the text BM25 searches (a Chinese need's with its English gloss)
        words = len(matcher.read(text.strip()).searched.split()) if text.strip() else 1
        for r in responses.get(text, [])[:CALIBRATION_DEPTH]:
            doc = matcher.index.doc(r.iri)
            signals = r.explanation.signals
            # its best similarity as the fit reads it: with the whole need, its closest sentence, or the graph (an
            # expert with works: their works')
            similarity = max(r.explanation.own_similarity, signals.get("graph", 0.0))
            is_relevant = doc is not None and eval_set.normalise(candidate_id(doc)) in relevant
            lexical, borrowed = signals.get("bm25", 0.0), signals.get("bm25_feedback", 0.0)  # as the fit reads them
            central = signals.get("centrality", 0.0)
            out.append(
                Judged(similarity, lexical, words, r.fit, is_relevant, query_id, r.floor_evidence, central, borrowed)
            )
    return out


def calibration(judged: list[Judged], bins: int = 10) -> dict[str, object]:
    """Expected calibration error of the fits (equal-width bins, weighted by their share of results) and the
    reliability diagram's rows: per bin, the results in it, their mean fit and the share judged relevant.

    >>> calibration([Judged(0.5, 0.0, 4, 0.2, False), Judged(0.5, 0.0, 4, 0.2, True)])["ece"]
    0.3
    """
    rows = []
    ece = 0.0
    bin_of = _bin_of(np.array([j.fit for j in judged], dtype=np.float64), bins)
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [j for j, at in zip(judged, bin_of.tolist(), strict=True) if at == b]
        if not inside:
            continue
        mean_fit = sum(j.fit for j in inside) / len(inside)
        share = sum(j.relevant for j in inside) / len(inside)
        ece += len(inside) / len(judged) * abs(mean_fit - share)
        rows.append(
            {
                "bin": f"{low:.1f}-{high:.1f}",
                "results": len(inside),
                "mean_fit": round(mean_fit, 4),
                "relevant": round(share, 4),
            }
        )
    return {"ece": round(ece, 4), "results": len(judged), "bins": rows}


def _bin_of(fits: np.ndarray, bins: int) -> np.ndarray:
    """Each fit's bin of ``bins`` equal-width bins of [0, 1] (bin ``b`` holds ``b / bins <= fit < (b + 1) / bins``,
    the last one 1.0 too); -1 for a fit outside [0, 1], which no bin holds."""
    at = np.searchsorted(np.arange(bins) / bins, fits, side="right") - 1
    at = np.where(fits == 1.0, bins - 1, at)
    return np.where((fits < 0.0) | (fits > 1.0), -1, at)


def ece_interval(judged: list[Judged], bins: int = 10) -> tuple[float, float]:
    """The ``LEVEL`` bootstrap interval of ``calibration``'s expected calibration error over the set's queries (each
    query's results resampled together, binned as ``calibration`` bins them): how far another sample of as many
    needs could move it."""
    fits = np.array([j.fit for j in judged], dtype=np.float64)
    relevant = np.array([j.relevant for j in judged], dtype=np.float64)
    bin_of = _bin_of(fits, bins)
    rows_of: dict[str, list[int]] = {}
    for i, j in enumerate(judged):
        rows_of.setdefault(j.query_id, []).append(i)
    groups = [np.array(rows) for rows in rows_of.values()]

    def ece(picks: np.ndarray) -> float:
        rows = np.concatenate([groups[p] for p in picks])
        binned = rows[bin_of[rows] >= 0]
        at = bin_of[binned]
        gap = np.bincount(at, fits[binned], bins) - np.bincount(at, relevant[binned], bins)
        return float(np.abs(gap).sum() / len(rows))

    return statistic_interval(len(groups), ece)


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """What a ranking set can tell apart: each method's nDCG@10 with its ``LEVEL`` bootstrap interval over the
    set's queries, and the fused matcher's paired difference from the best single channel, with its interval."""

    intervals: dict[str, tuple[float, float]]
    best_channel: str
    over_best_channel: tuple[float, float, float]  # mean difference, low, high

    def as_dict(self) -> dict[str, object]:
        mean, low, high = self.over_best_channel
        return {
            "level": LEVEL,
            "resamples": RESAMPLES,
            "ndcg_at_10_interval": {m: [round(lo, 4), round(hi, 4)] for m, (lo, hi) in self.intervals.items()},
            "sharekg_over_best_channel": {
                "channel": self.best_channel,
                "difference": round(mean, 4),
                "interval": [round(low, 4), round(high, 4)],
            },
        }


def uncertainty(scores: Mapping[str, Scores], fused: str = "sharekg") -> Uncertainty:
    """``Uncertainty`` of one ranking run's ``scores`` (per method, with their per-query nDCG@10)."""
    channels = {m: s for m, s in scores.items() if m != fused}
    best = max(channels, key=lambda m: channels[m].ndcg_at_10)
    return Uncertainty(
        {m: interval(s.ndcg_per_query) for m, s in scores.items()},
        best,
        paired_difference(scores[fused].ndcg_per_query, channels[best].ndcg_per_query),
    )


@dataclass(frozen=True, slots=True)
class ReviewerLoss:
    """One method's pairwise loss on the reviewer set and its ``LEVEL`` bootstrap interval over researchers."""

    loss: float
    interval: tuple[float, float]
    terms: dict[str, tuple[float, float]]  # per researcher: (loss, maximum), what the interval resamples


def _reviewer_loss(terms: Mapping[str, tuple[float, float]]) -> ReviewerLoss:
    losses, maxima = zip(*terms.values(), strict=True)
    return ReviewerLoss(loss_of_terms(terms), ratio_interval(losses, maxima), dict(terms))


def run_reviewer_task(
    folder: Path, profiles: Path, embedder: Embedder, cache: EmbeddingCache
) -> dict[str, ReviewerLoss]:
    """The reviewer set's pairwise loss (lower is better), each researcher scored for each paper as the product
    scores experts for a need.

    Each researcher's profile (their 20 most recent papers, the set's protocol) is written as OpenAlex-style author and
    works files, read by sharekg's own OpenAlex reader into a store in memory and indexed as experts; every rated
    paper is then asked of the matcher as a need, over the experts, and a researcher's score is the fit the matcher
    gives them (``sharekg``), or the one channel alone (``bm25``, ``cosine``: the mean of the profile's vectors). No
    floor and no diversity cap: every researcher gets a score. Each loss comes with its interval over researchers
    (their pairs are resampled together: one researcher's ratings are not independent of each other).
    """
    reviewer = load_reviewer(folder)
    papers_of = load_reviewer_profiles(profiles)
    with tempfile.TemporaryDirectory(prefix="sharekg-reviewer-") as tmp:
        source = Path(tmp) / "reviewer-profiles"
        write_openalex_profiles(
            source, {r: (reviewer.researchers[r].name, papers_of.get(r, [])) for r in sorted(reviewer.researchers)}
        )
        store = open_store(None)
        for source_plan in plan([source], source="eval-reviewer"):
            ingest_source(store, source_plan, None)
        index = SearchIndex.build(store, embedder, cache, types=("Expert",))
        store.close()
    researcher_of = {doc.iri: doc.iri.rsplit("/", 1)[-1].removeprefix("A") for doc in index.docs}
    losses: dict[str, ReviewerLoss] = {}
    for method, weights in METHODS.items():
        if method == "graph":
            continue  # the reviewer set's experts have works but no graph links to other experts
        matcher = Matcher(index, embedder, weights)
        scored: dict[str, dict[str, float]] = {}

        def score(
            researcher: str,
            text: str,
            m: Matcher = matcher,
            cache_: dict[str, dict[str, float]] = scored,
            bm25_only: bool = method == "bm25",
        ) -> float:
            if text not in cache_:
                found = m.match(text, Filters(types=("Expert",)), k=min(TOP_K, len(index.docs))).results["Expert"]
                cache_[text] = {
                    unquote(researcher_of[r.iri]): r.explanation.signals["bm25"] if bm25_only else r.score
                    for r in found
                }
            return cache_[text].get(researcher, 0.0)

        losses[method] = _reviewer_loss(evaluate_reviewer_terms(reviewer, score))
    reverse = evaluate_reviewer_terms(reviewer, _reverse_scores(index, embedder, researcher_of))
    losses["sharekg reverse"] = _reviewer_loss(reverse)
    return losses


def _reverse_scores(
    index: SearchIndex, embedder: Embedder, researcher_of: Mapping[str, str]
) -> Callable[[str, str], float]:
    """A researcher's score for a paper as the product's reverse matching orders needs for a resource (what a
    centre sees: the needs an expert stands out for among the experts, ``Matcher.standout``)."""
    matcher = Matcher(index, embedder, METHODS["sharekg"])
    iri_of = {unquote(researcher): iri for iri, researcher in researcher_of.items()}
    vectors: dict[str, np.ndarray] = {}

    def score(researcher: str, text: str) -> float:
        if text not in vectors:
            vectors[text] = matcher.encode_needs([text])[0]
        if researcher not in iri_of:
            return 0.0
        return float(matcher.standout(iri_of[researcher], vectors[text][None, :], [text])[1][0])

    return score


def write_openalex_profiles(folder: Path, profiles: Mapping[str, tuple[str, Sequence[Paper]]]) -> None:
    """Researchers (id -> name and papers) as the OpenAlex reader's ``authors.jsonl`` and ``works.jsonl`` (ids made
    OpenAlex-like: ``A`` + the researcher's id, ``W`` + it and the paper's number)."""
    folder.mkdir(parents=True, exist_ok=True)
    works: dict[str, dict[str, object]] = {}
    with (folder / "authors.jsonl").open("w", encoding="utf-8") as authors:
        for researcher, (name, papers) in profiles.items():
            ids = [f"W{researcher}{n:03d}" for n in range(len(papers))]
            author = {
                "author_id": f"A{researcher}",
                "orcid": "",
                "name": name,
                "name_alternatives": [name],
                "work_ids": ids,
            }
            authors.write(json.dumps(author) + "\n")
            for key, paper in zip(ids, papers, strict=True):
                works[key] = {
                    "work_id": key,
                    "title": paper.title,
                    "publication_year": paper.year,
                    "abstract": paper.abstract or "",
                    "authors": [{"author_id": f"A{researcher}", "name": name}],
                }
    with (folder / "works.jsonl").open("w", encoding="utf-8") as out:
        for work in works.values():
            out.write(json.dumps(work) + "\n")


__all__ = [
    "CALIBRATION_DEPTH",
    "METHODS",
    "TASKS",
    "Judged",
    "RankingRun",
    "RankingTask",
    "ReviewerLoss",
    "Uncertainty",
    "calibration",
    "candidate_id",
    "ece_interval",
    "eval_index",
    "run_ranking_task",
    "run_reviewer_task",
    "uncertainty",
    "write_openalex_profiles",
]
