"""An expert is read by their works: their similarity to a need is the smooth maximum of their works' similarities,
recent works weighing more (graph.search.evidence.GraphEvidence.works_of), on real OpenAlex profiles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from graph.search import Embedder, EmbeddingCache, Filters, Matcher, SearchIndex
from graph.search.evidence import RECENCY_YEARS, WORKS_TEMPERATURE
from graph.search.fit import LEXICAL, NOT_BY_CENTRALITY, fit_of_evidence, lexical_evidence
from graph.store import open_store
from ingest.pipeline import ingest_source, plan
from tests.conftest import FIXTURES

OPENALEX = FIXTURES / "openalex"


@pytest.fixture(scope="module")
def experts(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Matcher]:
    store = open_store(None)
    for p in plan([OPENALEX / "authors.jsonl", OPENALEX / "works.jsonl"], "openalex", "openalex"):
        assert ingest_source(store, p, None).status == "loaded"
    cache = EmbeddingCache(tmp_path_factory.mktemp("expert-works") / "embeddings.sqlite")
    index = SearchIndex.build(store, embedder, cache, types=("Expert",))
    store.close()
    yield Matcher(index, embedder)
    cache.close()


def _works_by_author() -> dict[str, list[dict[str, Any]]]:
    works = {w["work_id"]: w for w in map(json.loads, (OPENALEX / "works.jsonl").read_text("utf-8").splitlines())}
    authors = map(json.loads, (OPENALEX / "authors.jsonl").read_text("utf-8").splitlines())
    return {a["author_id"]: [works[w] for w in a["work_ids"] if w in works] for a in authors}


def test_an_experts_similarity_is_the_smooth_maximum_of_their_works(experts: Matcher) -> None:
    """Per expert, T log(sum of p(d) exp(s_d / T)) over their works, p the recency weights normalised: computed here
    one expert at a time, against the matcher's one gather for all of them (in an order of its own, and with an
    expert without works among them); it lies between the weighted mean of the works' similarities and the closest
    one's."""
    index = experts.index
    need = "Carbonate reservoir characterisation from well logs and core samples"
    vector = experts.encode_needs([need])[0]
    with_works = [i for i, d in enumerate(index.docs) if d.works]
    without = [i for i, d in enumerate(index.docs) if not d.works]
    assert len(with_works) >= 4 and without
    rows = np.array(with_works[::-1] + without[:1])
    found = experts._evidence.works_of("Expert", vector, rows)
    assert np.isnan(found[-1])
    for row, similarity in zip(rows[:-1].tolist(), found[:-1].tolist(), strict=True):
        doc = index.docs[row]
        passages = index.parts["Expert"].passages_of(int(index.local[row]))
        assert passages is not None
        sims = np.asarray(passages[len(passages) - len(doc.works) :], dtype=np.float64) @ vector
        years = np.array([year for _, year in doc.works], dtype=np.float64)
        weights = 1.0 / (1.0 + (years.max() - years) / RECENCY_YEARS)
        expected = WORKS_TEMPERATURE * np.log((weights * np.exp(sims / WORKS_TEMPERATURE)).sum() / weights.sum())
        assert similarity == pytest.approx(expected, abs=1e-5)
        assert (weights * sims).sum() / weights.sum() - 1e-6 <= similarity <= sims.max() + 1e-6


def test_a_work_of_an_expert_asked_as_a_need_finds_its_authors_first(experts: Matcher) -> None:
    """Each author's newest work, asked as a need, ranks one of its authors first, and the result says what its
    similarity came from: its works' (the ``works`` signal), with the closest of them listed, closest first."""
    index = experts.index
    iri_of = {d.iri.rsplit("/", 1)[-1]: d.iri for d in index.docs}
    for author, works in _works_by_author().items():
        if not works:
            continue
        newest = max(works, key=lambda w: (w["publication_year"], w["work_id"]))
        need = f"{newest['title']}. {newest['abstract']}"
        results = experts.match(need, Filters(types=("Expert",)), 3).results["Expert"]
        authors = {iri_of[a["author_id"]] for a in newest["authors"] if a["author_id"] in iri_of}
        assert results[0].iri in authors, (author, newest["title"], [r.label for r in results])
        first = results[0].explanation
        assert first.works[0][0].split() == str(newest["title"]).split()  # the reader normalises white space
        assert [s for _, _, s in first.works] == sorted((s for _, _, s in first.works), reverse=True)
        assert first.signals["works"] <= first.works[0][2] + 1e-3  # a smooth maximum: at most the closest work
        assert "sentence" not in first.signals  # the expert's similarity is their works', sentences included


def test_a_need_close_to_one_sentence_reads_the_work_by_that_sentence(experts: Matcher) -> None:
    """A work's similarity is the best of its cosine with the whole need and with the need's closest sentence, as
    for any resource: a need whose second sentence is one work's title, after one about something else, reads that
    work by the sentence, closer than by the whole need."""
    index = experts.index
    row, doc = next((i, d) for i, d in enumerate(index.docs) if len(d.works) >= 3)
    title = doc.works[-1][0]  # the oldest: far from the expert's centre of weight
    need = f"Our team builds a mobile app for campus events. {title}."
    every = experts.variant(floor=0.0)  # every expert listed, however weak
    results = every.match(need, Filters(types=("Expert",)), len(index.docs)).results["Expert"]
    listed = {t: s for t, _, s in next(r for r in results if r.iri == doc.iri).explanation.works}
    passages = index.parts["Expert"].passages_of(int(index.local[row]))
    assert passages is not None
    whole = float(np.asarray(passages[len(passages) - 1], dtype=np.float64) @ experts.encode_needs([need])[0])
    assert listed[title] > whole + 0.05, (listed, whole)


def test_an_experts_fit_is_their_works_and_shared_terms_not_how_central_they_are(experts: Matcher) -> None:
    """People are not ranked by centrality (``NOT_BY_CENTRALITY``: a broad profile many others lie near is not the
    expertise a need names): an expert's fit is read from their works' similarity and the terms they share with the
    need alone, and no result says it is central among its kind."""
    assert "Expert" in NOT_BY_CENTRALITY
    need = "Seismic interpretation of carbonate reservoirs and their porosity"
    results = experts.match(need, Filters(types=("Expert",)), 5).results["Expert"]
    assert results
    words = len(experts.read(need).searched.split())
    for r in results:
        signals = r.explanation.signals
        lexical = lexical_evidence(np.array([signals["bm25"]]), words, "Expert")
        assert r.fit == pytest.approx(float(fit_of_evidence(signals["works"] + LEXICAL * lexical)[0]), abs=2e-4)
        assert "centrality" not in signals
        assert all(reason.kind != "central" for reason in r.explanation.reasons)


def test_an_expert_outside_a_list_is_read_by_their_works_as_in_it(experts: Matcher) -> None:
    """``Matcher.similarity``, what bundles pick and show a contact person by, reads an expert as ``match`` does:
    their works' similarity, the same value as the ``works`` signal of a match, not the profile's cosine."""
    need = "Seismic interpretation of carbonate reservoirs and their porosity"
    results = experts.variant(floor=0.0).match(need, Filters(types=("Expert",)), 5).results["Expert"]
    planned = experts.plan(need, Filters(types=("Expert",)), 5, None)
    read = experts.need_of(planned)
    index = experts.index
    by_works = [r for r in results if "works" in r.explanation.signals]
    assert by_works
    for r in by_works:
        assert experts.similarity(read, r.iri) == pytest.approx(r.explanation.signals["works"], abs=1e-4)
        profile = float(np.asarray(index.vector(index.position[r.iri]), dtype=np.float64) @ read.vector)
        assert abs(profile - r.explanation.signals["works"]) > 1e-3  # the two readings differ, so the test tells
    for r in results:
        if r not in by_works:  # an expert without works is read by their profile, as any resource
            assert experts.similarity(read, r.iri) == pytest.approx(r.explanation.signals["cosine"], abs=1e-4)
