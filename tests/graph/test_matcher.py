"""Matching on real fixture records with the real model: ranking, filters, explanations, bad needs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest

from graph.errors import MatchError, StoreError
from graph.search import MAX_K, Embedder, EmbeddingCache, Filters, SentenceTransformerEmbedder, TeamPlace
from graph.search.bundles import bundles
from graph.search.explain import sentences
from graph.search.filters import DocumentFacts
from graph.search.fit import (
    CENTRALITY_NEIGHBOURS,
    LEXICAL,
    band_of,
    centrality_evidence,
    evidence_of,
    fit_of_evidence,
    lexical_evidence,
    mention_evidence,
)
from graph.search.index import SearchIndex, open_index
from graph.search.matcher import MAX_NEED_CHARS, MAX_PER_AWARD, MAX_PER_ORGANIZATION, Matcher
from graph.store import Store
from ingest.pipeline import ingest_source, plan
from tests.conftest import FIXTURES
from tests.graph.conftest import CountingEmbedder

T = TypeVar("T")


def test_a_need_finds_the_instrument_that_fits_with_reasons(matcher: Matcher) -> None:
    response = matcher.match("We need NMR spectroscopy to characterise the organic compounds we synthesise", k=3)
    top = response.results["Instrument"][0]
    assert "NMR" in top.label
    assert {"NMR", "spectroscopy"} & set(top.explanation.matched_terms)
    path = top.explanation.path
    assert path[0].label == "your need" and top.iri in [step.iri for step in path]
    assert any(step.relation == "contact person" for step in path)  # the PI who bought it
    assert any(step.relation == "hosted by" and "Delaware" in step.label for step in path)
    assert set(response.results) == {"Instrument", "Facility", "Dataset", "Expert"}


def test_the_expert_who_bought_the_instrument_is_found_for_its_technique(matcher: Matcher) -> None:
    response = matcher.match("flow cytometry of phytoplankton in lakes", Filters(types=("Expert",)), k=5)
    assert any("Minnesota" in r.organization or "Duluth" in r.organization for r in response.results["Expert"])


def test_filters_apply_before_ranking(matcher: Matcher) -> None:
    everywhere = matcher.match("X-ray absorption spectroscopy of catalysts", Filters(types=("Instrument",)), k=3)
    assert "/instrument/xas/" in everywhere.results["Instrument"][0].iri
    japan = matcher.match(
        "X-ray absorption spectroscopy of catalysts", Filters(types=("Instrument",), country="japan"), k=3
    )
    assert [r.place for r in japan.results["Instrument"]] == ["Japan"] * len(japan.results["Instrument"])
    unfloored = matcher.variant(floor=0.0)  # every result, however weak its fit
    st_andrews = unfloored.match(
        "a laser", Filters(types=("Instrument",), organization="University of St Andrews"), k=100
    )
    assert len(st_andrews.results["Instrument"]) == 23  # every instrument of the university, however weak the fit


def test_unknown_filter_values_and_types_are_reported(matcher: Matcher) -> None:
    with pytest.raises(MatchError, match="Atlantis"):
        matcher.match("microscope", Filters(country="Atlantis"))
    with pytest.raises(MatchError, match="unknown resource type"):
        matcher.match("microscope", Filters(types=("Spaceship",)))
    with pytest.raises(MatchError, match="between 1 and"):
        matcher.match("microscope", k=0)


@pytest.mark.parametrize(
    ("need", "message"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        (42, "text"),
        (None, "text"),
        ("?!… 🙂", "letters"),
        ("x" * (MAX_NEED_CHARS + 1), "limit"),
    ],
)
def test_bad_needs_get_a_clear_error(matcher: Matcher, need: object, message: str) -> None:
    with pytest.raises(MatchError, match=message):
        matcher.match(need)


def test_a_long_need_in_another_script_is_answered(matcher: Matcher) -> None:
    need = "我们需要用电子显微镜观察纳米材料的结构。" * 50 + " electron microprobe analysis of minerals"
    response = matcher.variant(floor=0.0).match(need, Filters(types=("Instrument",)), k=3)  # every result, to count
    assert len(response.results["Instrument"]) == 3


def test_team_nearby_ranks_higher(matcher: Matcher) -> None:
    need, only = "a computer", Filters(types=("Instrument",))
    plain = [r.iri for r in matcher.match(need, only, k=40).results["Instrument"]]
    local = matcher.match(need, only, k=40, team=TeamPlace(organization="University of St Andrews"))
    ranked = [r.iri for r in local.results["Instrument"]]
    first_local = min(ranked.index(i) for i in ranked if "st-andrews" in i)
    assert first_local <= min(plain.index(i) for i in plain if "st-andrews" in i)
    assert local.results["Instrument"][first_local].explanation.signals["factor"] > 1


def test_index_is_saved_reused_and_rebuilt_only_when_the_graph_changes(
    built: tuple[Store, SearchIndex, Path], embedder: Embedder
) -> None:
    store, index, folder = built
    counting = CountingEmbedder(embedder)
    cache = EmbeddingCache(folder / "embeddings.sqlite")
    again, rebuilt = open_index(store, counting, cache, folder / "index")
    assert not rebuilt and counting.encoded == 0 and len(again.docs) == len(index.docs)
    head = FIXTURES / "datafinder" / "datasets.jsonl"
    changed = folder / "datasets.jsonl"
    lines = head.read_text(encoding="utf-8").split("\n")
    changed.write_text("\n".join([lines[0].replace("dataset", "corpus", 1), *lines[1:]]), encoding="utf-8")
    for p in plan([changed], source="datasets"):
        ingest_source(store, p, None)
    _refreshed, rebuilt = open_index(store, counting, cache, folder / "index")
    assert rebuilt
    assert counting.encoded == 1  # only the changed dataset's text was embedded again
    cache.close()


def test_a_bundle_joins_an_instrument_with_its_contact_and_facility(matcher: Matcher) -> None:
    found = bundles(matcher.variant(floor=0.0), "X-ray magnetic circular dichroism of magnetic thin films", k=2)
    assert len(found) == 2 and found[0].score >= found[1].score
    roles = {m.role: m for m in found[0].members}
    assert roles["instrument"].iri.startswith("https://w3id.org/sharekg/id/instrument/")
    assert {"facility", "dataset"} <= set(roles)
    assert roles["facility"].relation == "at facility"
    assert roles["facility"].band == "" and roles["facility"].fit == 0.0  # joined by the graph, not matched
    assert roles["instrument"].band == band_of(roles["instrument"].fit)
    for b in found:  # a bundle's fit is its matched members' mean; joined members add to its order only
        assert b.fit == round(float(np.mean([m.fit for m in b.members if m.band])), 4)
        assert b.score >= b.fit
    need = "X-ray magnetic circular dichroism of magnetic thin films"
    floored = bundles(matcher, need, k=2)
    response = matcher.match(need, Filters(types=("Dataset",)), k=10)
    presented = set() if "Dataset" in response.notes else {r.iri for r in response.results["Dataset"]}
    assert all(m.iri in presented for b in floored for m in b.members if m.role == "dataset")  # none, not a wrong one
    nmr = bundles(matcher, "NMR spectroscopy of organic molecules", k=1)[0]
    expert = next(m for m in nmr.members if m.role == "expert")
    assert expert.relation == "contact person"  # the PI of the award that bought the spectrometer


def test_reverse_matching_ranks_needs_for_a_resource(matcher: Matcher) -> None:
    nmr = next(d.iri for d in matcher.index.docs if d.type == "Instrument" and "NMR" in d.label)
    needs = [
        ("1", "a dataset of street scenes for self-driving cars"),
        ("2", "we must confirm the structure of the molecules we synthesised by NMR"),
        ("3", "arctic lidar observations of the stratosphere"),
    ]
    found = matcher.reverse(nmr, needs, k=3)
    assert found[0].need_id == "2" and "NMR" in found[0].matched_terms
    with pytest.raises(MatchError, match="no resource"):
        matcher.reverse("https://example.org/nothing", needs)


def test_reverse_matching_shows_the_terms_a_chinese_need_shares_as_it_counted_them(matcher: Matcher) -> None:
    """A need in Chinese is counted by its English gloss (``standout``): the terms shown are that gloss's, not the
    Chinese words, which an English record never holds."""
    nmr = next(d.iri for d in matcher.index.docs if d.type == "Instrument" and "NMR" in d.label)
    found = matcher.reverse(nmr, [("zh", "用核磁共振确定我们合成的分子的结构")], k=1)
    assert {"nuclear", "magnetic", "resonance"} <= {t.lower() for t in found[0].matched_terms}


def test_reverse_matching_orders_needs_by_how_far_the_resource_stands_out_among_its_kind(
    matcher: Matcher, embedder: Embedder
) -> None:
    """The standout (Matcher.standout) is the need's cosine with the resource less its mean cosine with the
    resources of its kind, plus the shared terms' evidence: computed here apart, from the index's vectors and BM25."""
    nmr = next(d.iri for d in matcher.index.docs if d.type == "Instrument" and "NMR" in d.label)
    needs = [
        ("general", "an instrument for our research project at the university"),
        ("nmr", "we must confirm the structure of the molecules we synthesised by NMR"),
        ("xas", "X-ray absorption spectroscopy of iron in soils at a synchrotron beamline"),
        ("lidar", "arctic lidar observations of the stratosphere"),
    ]
    found = matcher.reverse(nmr, needs, k=4)
    assert [f.standout for f in found] == sorted((f.standout for f in found), reverse=True)
    assert found[0].need_id == "nmr"
    i = matcher.index.position[nmr]
    part, local = matcher.index.part_of(i), int(matcher.index.local[i])
    mean = part.vector_index.vectors.mean(axis=0)
    for f in found:
        vector = embedder.encode([f.text])[0]
        cosine = float(vector @ matcher.index.vector(i))
        shared = lexical_evidence(part.lexical.scores_at(f.text, [local]), len(f.text.split()), "Instrument")[0]
        assert f.similarity == pytest.approx(cosine, abs=2e-4)
        assert f.standout == pytest.approx(cosine - float(vector @ mean) + LEXICAL * shared, abs=2e-4)
    # a need every instrument is about as close to says little of this one: its raw cosine alone would rank higher
    general = next(f for f in found if f.need_id == "general")
    assert general.standout < general.similarity - 0.1


def test_reverse_matching_answers_the_same_from_the_needs_it_has_read_before(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matcher keeps what it read of each need for the next reverse call (a Chinese need's gloss), at most
    MAX_READINGS needs: answers do not depend on what it kept."""
    nmr = next(d.iri for d in matcher.index.docs if d.type == "Instrument" and "NMR" in d.label)
    needs = [("zh", "用核磁共振确定合成分子的结构"), ("en", "NMR of the molecules we synthesised"), ("x", "lidar")]
    first = matcher.reverse(nmr, needs, k=3)
    assert matcher.reverse(nmr, needs, k=3) == first
    monkeypatch.setattr("graph.search.matcher.MAX_READINGS", 1)
    assert matcher.variant().reverse(nmr, list(reversed(needs)), k=3) == first


NEEDS = [
    "We need NMR spectroscopy to characterise the organic compounds we synthesise",
    "X-ray absorption spectroscopy of catalysts. Beamtime at a synchrotron in Japan would be ideal.",
    "a dataset of street scenes for self-driving cars",
    "flow cytometry of phytoplankton in lakes",
]


def exact(vectors: np.ndarray, query: np.ndarray, allowed: np.ndarray, k: int) -> list[int]:
    rows = np.flatnonzero(allowed)
    scores = vectors[rows] @ query
    return rows[np.lexsort((rows, -scores))[:k]].tolist()


def test_each_type_has_its_own_indexes_and_they_rank_as_masked_exact_search(
    matcher: Matcher, embedder: Embedder
) -> None:
    index = matcher.index
    types = np.array([d.type for d in index.docs])
    vectors = index.vectors
    assert sorted(index.parts) == ["Dataset", "Expert", "Facility", "Instrument"]
    for name, part in index.parts.items():
        assert part.rows.tolist() == np.flatnonzero(types == name).tolist()
        np.testing.assert_array_equal(part.vector_index.vectors, vectors[part.rows])
    for need in NEEDS:
        q = embedder.encode([need])[0]
        for name, part in index.parts.items():
            found, _ = part.vector_index.search(q, 10)
            assert part.rows[found].tolist() == exact(vectors, q, types == name, 10)


def test_other_filters_mask_the_types_rows_before_ranking(matcher: Matcher, embedder: Embedder) -> None:
    index = matcher.index
    types = np.array([d.type for d in index.docs])
    base = DocumentFacts(index.docs, index.label_of).mask(Filters(organization="University of St Andrews"))
    assert base is not None
    allowed = base & (types == "Instrument")
    assert int(allowed.sum()) == 23 < int((types == "Instrument").sum())  # every instrument of the university
    part = index.parts["Instrument"]
    q = embedder.encode([NEEDS[0]])[0]
    found, _ = part.vector_index.search(q, 5, base[part.rows])
    assert part.rows[found].tolist() == exact(index.vectors, q, allowed, 5)
    response = matcher.variant(floor=0.0).match(
        NEEDS[0], Filters(types=("Instrument",), organization="University of St Andrews"), k=5
    )
    assert len(response.results["Instrument"]) == 5
    assert all(allowed[matcher.position[r.iri]] for r in response.results["Instrument"])
    facts = DocumentFacts(index.docs, index.label_of)
    assert facts.mask(Filters(types=("Instrument",))) is None  # the type alone needs no mask


def test_explanations_carry_the_terms_and_bm25_of_each_result(matcher: Matcher) -> None:
    need = NEEDS[0]
    for r in matcher.match(need, Filters(types=("Instrument",)), k=5).results["Instrument"]:
        i = matcher.position[r.iri]
        part, local = matcher.index.part_of(i), int(matcher.index.local[i])
        assert r.explanation.matched_terms == part.lexical.matched_terms(need, local)
        assert r.explanation.signals["bm25"] == round(float(part.lexical.scores(need)[local]), 3)


def test_a_hyphenated_word_of_the_need_is_shown_whole(matcher: Matcher) -> None:
    """BM25 reads "X-ray" by its part "ray"; a result whose record writes "X-ray" shows the need's word whole."""
    need = NEEDS[1]
    results = matcher.match(need, Filters(types=("Instrument",)), k=5).results["Instrument"]
    written = [r for r in results if "x-ray" in matcher.index.docs[matcher.position[r.iri]].text.lower()]
    assert written
    for r in written:
        assert "X-ray" in r.explanation.matched_terms and "ray" not in r.explanation.matched_terms


def test_a_need_and_its_sentences_come_from_one_model_call(matcher: Matcher, embedder: Embedder) -> None:
    need = NEEDS[1]
    counting = CountingEmbedder(embedder)
    separate = Matcher(matcher.index, counting)._need(need)  # an embedder without encode_with_parts
    assert counting.encoded == 3  # the need and its two sentences, as texts of their own
    pooled = matcher._need(need)
    np.testing.assert_allclose(pooled.vector, separate.vector, atol=1e-5)
    assert pooled.sentences == separate.sentences and pooled.sentence_vectors.shape == (2, embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(pooled.sentence_vectors, axis=1), 1, atol=1e-5)
    assert np.diag(pooled.sentence_vectors @ separate.sentence_vectors.T).min() > 0.6  # the same sentences
    long = "electron microscopy of cells " * 80 + ". Then mass spectrometry of the proteins."
    parts = long.split(". ")
    _, vectors = embedder.encode_with_parts(long, parts)  # type: ignore[attr-defined]
    np.testing.assert_allclose(vectors[1], embedder.encode([parts[1]])[0], atol=1e-5)  # past the token limit


def test_an_index_of_the_old_format_is_rebuilt(built: tuple[Store, SearchIndex, Path], embedder: Embedder) -> None:
    store, index, folder = built
    old = folder / "old-index"
    index.save(old)
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    del manifest["version"]
    (old / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreError, match="rebuild it with `sharekg index`"):
        SearchIndex.load(old)
    cache = EmbeddingCache(folder / "embeddings.sqlite")
    again, rebuilt = open_index(store, embedder, cache, old)
    cache.close()
    assert rebuilt and SearchIndex.load(old).parts.keys() == again.parts.keys()


def test_one_text_skips_encode_but_gives_its_vector(embedder: Embedder) -> None:
    model = embedder._model  # type: ignore[attr-defined]
    for text in ("NMR spectroscopy", "  a need with spaces around  ", "microscope " * 400):
        expected = model.encode([text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        np.testing.assert_allclose(embedder.encode([text]), expected, atol=1e-6)
    model.train()  # as fine-tuning leaves a model: the next encoding is deterministic all the same
    try:
        np.testing.assert_allclose(embedder.encode(["NMR spectroscopy"]), embedder.encode(["NMR spectroscopy"]))
    finally:
        model.eval()


def test_bm25_on_the_pool_or_inline_gives_the_same_answers(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small types run BM25 inline, large ones on the pool while the model encodes: the answers are the same."""
    need = "Powder X-ray diffraction of metal-organic frameworks; a mentor in crystallography."
    inline = matcher.match(need, Filters(), 5)
    monkeypatch.setattr("graph.search.matcher.LEXICAL_POOL_FROM_ROWS", 0)  # every type on the pool
    pooled = matcher.match(need, Filters(), 5)
    assert [[r.iri for r in rs] for rs in pooled.results.values()] == [
        [r.iri for r in rs] for rs in inline.results.values()
    ]
    assert any(inline.results.values())


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a thread of its own: Playwright's sync API (browser tests) leaves a loop running here."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


ASYNC_NEEDS = [
    "high resolution electron microscopy",  # one sentence: the need is its own sentence
    "We synthesise metal-organic frameworks. Powder X-ray diffraction would tell us their structure.",
]


def test_match_async_answers_as_match_does_with_or_without_an_encoder_thread(
    built: tuple[Store, SearchIndex, Path], embedder: Embedder
) -> None:
    """The async path (the need handed to the encoder thread and awaited; or, with no encoder thread, the model on a
    worker thread) gives the answers, scores and explanations of the blocking one."""
    assert isinstance(embedder, SentenceTransformerEmbedder)
    batching = SentenceTransformerEmbedder(embedder._model, embedder.name)
    batching.enable_batching()
    for async_matcher in (Matcher(built[1], batching), Matcher(built[1], CountingEmbedder(embedder))):
        for need in ASYNC_NEEDS:
            expected = async_matcher.match(need, Filters(types=("Instrument", "Expert")), 5)
            got = run_async(async_matcher.match_async(need, Filters(types=("Instrument", "Expert")), 5))
            assert got.need_subjects == expected.need_subjects
            for t, results in expected.results.items():
                assert [(r.iri, r.score) for r in got.results[t]] == [(r.iri, r.score) for r in results]
                got_sentences = [s for r in got.results[t] for s in r.explanation.matched_sentences]
                sentences = [s for r in results for s in r.explanation.matched_sentences]
                assert [s for s, _ in got_sentences] == [s for s, _ in sentences]
                assert [c for _, c in got_sentences] == pytest.approx([c for _, c in sentences], abs=2e-3)
    with pytest.raises(MatchError, match="k is 0"):
        run_async(Matcher(built[1], batching).match_async(ASYNC_NEEDS[0], k=0))


def test_the_floor_reads_the_need_as_written_not_what_feedback_added(matcher: Matcher) -> None:
    """Datasets are ranked by the need moved towards its nearest documents (pseudo-relevance feedback), which lifts
    those documents whether or not anything fits; the floor reads the need's own cosine and BM25 instead."""
    need = "a wet-lab protocol for staining zebrafish embryos"
    vector = matcher.encode_need(need)
    results = matcher.variant(floor=0.0).match(need, Filters(types=("Dataset",)), k=10).results["Dataset"]
    assert results
    words = len(matcher.read(need).searched.split())
    for r in results:
        row = matcher.index.position[r.iri]
        written = max(float(matcher.index.vector(row) @ vector), 0.0)  # no graph evidence for datasets: 0
        expected = float(evidence_of(np.array([written]), np.array([r.explanation.signals["bm25"]]), words)[0])
        assert abs(r.floor_evidence - expected) < 1e-3, (r.label, r.floor_evidence, expected)
    own = [float(matcher.index.vector(matcher.index.position[r.iri]) @ vector) for r in results]
    # the cosine shown is the need's own, as bundles and the floor read it; the ranking's, the expanded need's, apart
    assert [r.explanation.signals["cosine"] for r in results] == pytest.approx(own, abs=1e-3)
    assert max(r.explanation.signals["cosine_feedback"] - c for r, c in zip(results, own, strict=True)) > 0.01
    assert all(r.explanation.own_similarity >= r.explanation.signals["cosine_feedback"] for r in results)


def test_a_result_central_among_its_kind_ranks_by_that_too_but_is_presented_by_the_need_alone(
    matcher: Matcher,
) -> None:
    """Centrality (how many of a type's documents have a result among their nearest, and how many name it in their
    text, graph.search.fit) is part of what results rank and are calibrated by, in their signals; the one-channel
    baselines leave it out, and whether a result is presented is read on the need's own evidence."""
    for part in matcher.index.parts.values():
        assert part.in_degree.sum() == len(part.rows) * min(CENTRALITY_NEIGHBOURS, len(part.rows) - 1)
    need = "an NMR spectrometer to confirm the structure of a synthesised drug molecule"
    response = matcher.match(need, Filters(types=("Instrument",)), k=10)
    results = response.results["Instrument"]
    assert results and "Instrument" not in response.notes
    part = matcher.index.parts["Instrument"]
    words = len(matcher.read(need).searched.split())
    for r in results:
        s = r.explanation.signals
        local = int(matcher.index.local[matcher.index.position[r.iri]])
        central = centrality_evidence(part.in_degree[local : local + 1])[0]
        named = mention_evidence(part.mentioned_by[local : local + 1])[0]
        assert s["centrality"] == pytest.approx(float(central + named), abs=1e-4)
        own = max(r.explanation.own_similarity, s.get("graph", 0.0))
        of_need = evidence_of(np.array([own]), np.array([s["bm25"]]), words)
        assert r.fit == pytest.approx(float(fit_of_evidence(of_need + s["centrality"])[0]), abs=1e-3)
        assert float(of_need[0]) >= matcher.weights.floor - 1e-3  # presented by the need's own evidence
        assert any("central among its kind" in n for n in r.explanation.evidence) == (central > 0)
        assert any("named in the text of" in n for n in r.explanation.evidence) == (named > 0)
        reasons = {reason.kind: reason for reason in r.explanation.reasons}  # the same, as data for a page
        assert ("central" in reasons) == (central > 0)
        if central > 0:
            assert (reasons["central"].count, reasons["central"].nearest) == (part.in_degree[local], part.nearest)
    plain = matcher.variant(centrality=False).match(need, Filters(types=("Instrument",)), k=10).results["Instrument"]
    assert plain and all("centrality" not in r.explanation.signals for r in plain)


def test_a_result_close_to_one_sentence_of_a_long_need_is_scored_by_that_sentence(matcher: Matcher) -> None:
    """A need of several sentences is one vector for the encoder; a resource that fits one of them is scored by the
    best of its cosine with the whole need and with each sentence, and says so in its signals."""
    need = (
        "We need NMR spectroscopy to characterise the organic compounds we synthesise. "
        "We also count phytoplankton in lake water by flow cytometry."
    )
    parts = sentences(need)
    assert len(parts) == 2
    _, per_sentence = matcher.encoder.submit_need(need, parts).result()  # as matching encodes them
    results = matcher.variant(floor=0.0).match(need, Filters(types=("Instrument",)), k=5).results["Instrument"]
    labels = [r.label for r in results]
    assert any("NMR" in label for label in labels) and any("Flow Cytometer" in label for label in labels), labels
    words = len(matcher.read(need).searched.split())
    for r in results:
        best = float((per_sentence @ matcher.index.vector(matcher.index.position[r.iri])).max())
        floor = float(evidence_of(np.array([best]), np.array([r.explanation.signals["bm25"]]), words)[0])
        assert r.floor_evidence >= floor - 1e-3, (r.label, r.floor_evidence, floor)
        read = r.explanation.signals.get("cosine_feedback", r.explanation.signals["cosine"])  # as its evidence read
        if best > read + 1e-3:
            assert abs(r.explanation.signals["sentence"] - best) < 1e-3
    assert any("sentence" in r.explanation.signals for r in results)
    one = matcher.match(parts[1], Filters(types=("Instrument",)), k=5).results["Instrument"]
    assert all("sentence" not in r.explanation.signals for r in one)  # one sentence: its cosine is the need's


def test_experts_are_a_varied_list_and_say_whom_they_stand_for(matcher: Matcher) -> None:
    """At most ``MAX_PER_AWARD`` listed experts share an award and ``MAX_PER_ORGANIZATION`` an organisation; the
    list is the unvaried ranking walked in order under those caps, and each expert left out is counted for the
    first listed one holding the award or organisation at its cap (its "left out" reason), not for one that shares
    with them only what is not."""
    need = "An X-ray diffractometer to measure the crystal structure of thin films and powders"
    k = 8
    plain = matcher.variant(floor=0.0, diverse=False).match(need, Filters(types=("Expert",)), MAX_K)
    varied = matcher.variant(floor=0.0).match(need, Filters(types=("Expert",)), k).results["Expert"]
    index = matcher.index

    def keys(iri: str) -> list[tuple[str, str]]:
        doc = index.docs[index.position[iri]]
        return [("award", a) for a in doc.related.get("grant", [])] + [("org", o) for o in doc.organizations[:1]]

    cap = {"award": MAX_PER_AWARD, "org": MAX_PER_ORGANIZATION}
    expected: list[str] = []
    stood_for: dict[str, int] = {}
    held: dict[tuple[str, str], int] = {}
    for r in plain.results["Expert"]:
        if len(expected) == k:
            break
        full = {key for key in keys(r.iri) if held.get(key, 0) >= cap[key[0]]}
        if full:  # left out for what is at its cap, so counted for the first listed expert holding that
            holder = next(e for e in expected if set(keys(e)) & full)
            stood_for[holder] = stood_for.get(holder, 0) + 1
            continue
        expected.append(r.iri)
        for key in keys(r.iri):
            held[key] = held.get(key, 0) + 1
    assert sum(stood_for.values()) > 0, "the need should meet a clump, so the rule is exercised"
    assert [r.iri for r in varied] == expected
    for r in varied:
        shown = [reason.count for reason in r.explanation.reasons if reason.kind == "left_out"]
        assert shown == ([stood_for[r.iri]] if r.iri in stood_for else [])


def test_an_expert_left_out_is_counted_for_the_holder_of_what_left_them_out(matcher: Matcher) -> None:
    """P0 holds organisation O; P1 and P2 award A; P3 award A and organisation O. With two per award, P3 is left out
    for award A, which P1 holds first: P0, who shares only O (one of three), stands for nobody."""
    docs = matcher.index.docs
    rows = np.arange(4)
    related = [{}, {"grant": ["A"]}, {"grant": ["A"]}, {"grant": ["A"]}]
    organisations = [["O"], [], [], ["O"]]
    saved = [(docs[i].related, docs[i].organizations) for i in range(4)]
    try:
        for i in range(4):
            object.__setattr__(docs[i], "related", related[i])
            object.__setattr__(docs[i], "organizations", organisations[i])
        assert MAX_PER_AWARD == 2
        assert matcher._diverse(rows, rows, 4) == ([0, 1, 2], {1: 1})
    finally:
        for i, (r, o) in enumerate(saved):
            object.__setattr__(docs[i], "related", r)
            object.__setattr__(docs[i], "organizations", o)
