"""``sharekg eval``: score matching against relevance judgements passed in by path.

Every method runs through the product: the candidate corpus is ingested with sharekg's own readers into a
store in memory, indexed like the real graph, and ranked by the matcher. The baselines are the matcher
with one channel (BM25 alone; cosine alone over the same document text), computed in the same run.
Nothing of the evaluation data reaches matching code beyond the query text of each request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from graph.evaluation import (
    EvalSet,
    Query,
    Scores,
    evaluate,
    evaluate_reviewer,
    load_chmo,
    load_datafinder,
    load_reviewer,
    load_reviewer_profiles,
    obo_curie,
)
from graph.search import Embedder, EmbeddingCache, Filters, LexicalIndex, Matcher, ResourceDoc, SearchIndex, Weights
from graph.store import open_store
from ingest.pipeline import ingest_source, plan

#: The methods every ranking task reports: two baselines and sharekg's fused matcher.
METHODS: dict[str, Weights] = {
    "bm25": Weights(dense=0.0, lexical=1.0, graph=0.0),
    "cosine": Weights(dense=1.0, lexical=0.0, graph=0.0),
    "sharekg": Weights(),
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


def run_ranking_task(
    task: RankingTask, queries: Path, corpus: list[Path], embedder: Embedder, cache: EmbeddingCache,
    mapping: Path | None = None,
) -> dict[str, Scores]:  # fmt: skip
    """Ingest ``corpus`` into a store in memory, index it, and score every method on the task's queries."""
    eval_set = task.load(queries)
    store = open_store(None)
    for source_plan in plan(corpus, source=f"eval-{task.name}", mapping=mapping):
        ingest_source(store, source_plan, None)
    index = SearchIndex.build(store, embedder, cache, types=(task.doc_type,))
    store.close()
    candidates = [candidate_id(d) for d in index.docs]
    results = {}
    for method, weights in METHODS.items():
        matcher = Matcher(index, embedder, weights)

        def rank(text: str, m: Matcher = matcher) -> list[str]:
            response = m.match(text, Filters(types=(task.doc_type,)), k=TOP_K)
            return [candidate_id(m.index.docs[m.position[r.iri]]) for r in response.results[task.doc_type]]

        results[method] = evaluate(eval_set, rank, TOP_K, candidates=candidates, text_of=task.text_of)
    return results


def run_reviewer_task(folder: Path, profiles: Path, embedder: Embedder, cache: EmbeddingCache) -> dict[str, float]:
    """The reviewer set's pairwise loss (lower is better) for BM25, plain cosine and sharekg's expert scoring.

    Each researcher's profile is their 20 most recent papers (the set's protocol). ``cosine`` compares a
    paper with the mean of the profile's vectors (how sharekg embeds an expert); ``sharekg`` averages the
    paper's three highest similarities to single profile papers, so one close paper counts, not only the mean.
    """
    reviewer = load_reviewer(folder)
    papers_of = load_reviewer_profiles(profiles)
    researchers = sorted(reviewer.researchers)
    profile_texts = {r: [p.text for p in papers_of.get(r, [])] for r in researchers}
    vectors = {r: cache.embed(embedder, texts) for r, texts in profile_texts.items()}
    lexical = LexicalIndex.build(["\n".join(profile_texts[r]) for r in researchers])
    row = {r: i for i, r in enumerate(researchers)}
    paper_vectors: dict[str, np.ndarray] = {}

    def paper_vector(text: str) -> np.ndarray:
        if text not in paper_vectors:
            paper_vectors[text] = cache.embed(embedder, [text])[0]
        return paper_vectors[text]

    def bm25(researcher: str, text: str) -> float:
        return float(lexical.scores(text)[row[researcher]])

    def cosine(researcher: str, text: str) -> float:
        profile = vectors[researcher]
        if len(profile) == 0:
            return 0.0
        mean = profile.mean(axis=0)
        return float(mean @ paper_vector(text) / max(float(np.linalg.norm(mean)), 1e-12))

    def top3(researcher: str, text: str) -> float:
        sims = vectors[researcher] @ paper_vector(text)
        return float(np.sort(sims)[-3:].mean()) if len(sims) else 0.0

    scorers: Mapping[str, Callable[[str, str], float]] = {"bm25": bm25, "cosine": cosine, "sharekg": top3}
    return {name: evaluate_reviewer(reviewer, scorer) for name, scorer in scorers.items()}


__all__ = ["METHODS", "TASKS", "RankingTask", "candidate_id", "run_ranking_task", "run_reviewer_task"]
