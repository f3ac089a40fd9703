"""Matching plus logging as one call (graph.centre.DemandIntake) on the fixture graph with the real model: the
per-client rate, deduplication, the caps, consent for personal data, one top-k, and reverse matching over the vectors
stored when the needs were logged (the encoder is called for none of them)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from graph.centre import TOP_PER_TYPE, Asker, DemandIntake, DemandLog, LogLimits
from graph.errors import InputError, MatchError
from graph.search import Embedder, EmbeddingCache, Filters, Matcher, SearchIndex, open_index
from graph.store import open_store
from ingest.linking import relink
from ingest.pipeline import ingest_source, plan
from tests.conftest import MATCH_SOURCES
from tests.graph.conftest import CountingEmbedder

NMR_NEED = "We need NMR spectroscopy to characterise the organic compounds we synthesise"
NEEDS = [
    NMR_NEED,
    "X-ray absorption spectroscopy of catalysts at a synchrotron beamline",
    "A dataset of annotated images to train a face recognition model",
    "Electron microscopy of thin films grown by sputter deposition",
]


class Clock:
    """Seconds that a test steps by hand (the intake's rate and dedupe window read it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> SearchIndex:
    folder = tmp_path_factory.mktemp("intake")
    store = open_store(folder / "store")
    for name, paths in MATCH_SOURCES.items():
        for p in plan(paths, source=name):
            ingest_source(store, p, None)
    relink(store, "r")
    cache = EmbeddingCache(folder / "embeddings.sqlite")
    built, _ = open_index(store, embedder, cache, folder / "index")
    cache.close()
    store.close()
    return built


@pytest.fixture
def counting(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
def matcher(index: SearchIndex, counting: CountingEmbedder) -> Matcher:
    return Matcher(index, counting).variant(floor=0.0)  # every type's list full: what is logged is what is counted


@pytest.fixture
def log(tmp_path: Path) -> Iterator[DemandLog]:
    log = DemandLog(tmp_path / "demand.sqlite")
    yield log
    log.close()


def test_one_client_logs_its_burst_then_its_rate_and_others_are_not_held_back(matcher: Matcher, log: DemandLog) -> None:
    clock = Clock()
    intake = DemandIntake(log, LogLimits(rate_per_minute=1, burst=2), clock=clock)
    got = [intake.match(matcher, text, k=3, asker=Asker("10.0.0.1")) for text in NEEDS[:3]]
    assert [g.logged for g in got] == ["logged", "logged", "rate-limited"]
    assert got[2].need_id is None and got[2].response.results["Instrument"]  # answered all the same
    assert intake.match(matcher, NEEDS[2], k=3, asker=Asker("10.0.0.2")).logged == "logged"
    clock.now += 60  # one token back
    assert intake.match(matcher, NEEDS[3], k=3, asker=Asker("10.0.0.1")).logged == "logged"
    assert len(log.needs()) == 4


def test_the_same_need_from_the_same_client_is_logged_once_in_the_window(matcher: Matcher, log: DemandLog) -> None:
    clock = Clock()
    intake = DemandIntake(log, LogLimits(dedupe_hours=1), clock=clock)
    first = intake.match(matcher, NMR_NEED, asker=Asker("a"))
    again = intake.match(matcher, "  " + NMR_NEED.upper().replace(" ", "\n "), asker=Asker("a"))
    assert (again.logged, again.need_id) == ("duplicate", first.need_id)
    assert intake.match(matcher, NMR_NEED, asker=Asker("b")).logged == "logged"
    clock.now += 3600
    assert intake.match(matcher, NMR_NEED, asker=Asker("a")).logged == "logged"
    assert len(log.needs()) == 3


def test_text_is_cut_to_the_cap_and_a_day_holds_at_most_its_cap(matcher: Matcher, log: DemandLog) -> None:
    day = datetime(2026, 5, 4, 23, 0, tzinfo=UTC)
    moments = iter([day, day, day, day, day, day + timedelta(hours=2), day + timedelta(hours=2)])
    intake = DemandIntake(log, LogLimits(max_chars=20, max_per_day=2), now=lambda: next(moments))
    assert [intake.match(matcher, t, asker=Asker("a")).logged for t in NEEDS[:3]] == ["logged", "logged", "daily-cap"]
    assert [n.text for n in log.needs()] == [NEEDS[0][:20], NEEDS[1][:20]]
    log.record("asked on the next day", {}, [], asked_at=day + timedelta(hours=2))
    assert intake.match(matcher, NEEDS[3], asker=Asker("a")).logged == "logged"  # a new UTC day: one more fits


def test_personal_data_is_stored_only_with_consent(matcher: Matcher, log: DemandLog) -> None:
    intake = DemandIntake(log)
    intake.match(matcher, NEEDS[0], asker=Asker("a", "Team Lumen", "University of St Andrews", "lumen@example.org"))
    intake.match(matcher, NEEDS[1], asker=Asker("a", "Team Dune", "Delaware State", "dune@example.org", consent=True))
    anonymous, named = log.needs()
    assert (anonymous.team, anonymous.organization, anonymous.contact) == (None, None, None)
    assert (named.team, named.organization, named.contact) == ("Team Dune", "Delaware State", "dune@example.org")


def test_one_top_k_is_logged_whatever_k_was_asked(matcher: Matcher, log: DemandLog) -> None:
    intake = DemandIntake(log)
    intake.match(matcher, NEEDS[0], Filters(("Instrument", "Dataset")), k=20, asker=Asker("a"))
    (need,) = log.needs()
    per_type = {t: sum(r.type == t for r in need.results) for t in ("Instrument", "Dataset")}
    assert per_type == {"Instrument": TOP_PER_TYPE, "Dataset": TOP_PER_TYPE}
    assert need.filters == {"types": ["Instrument", "Dataset"]}


def test_the_async_call_answers_and_logs_the_same(matcher: Matcher, log: DemandLog) -> None:
    intake = DemandIntake(log)
    with ThreadPoolExecutor(1) as loop_thread:  # a loop of its own: the browser tests' Playwright leaves one running
        got = loop_thread.submit(asyncio.run, intake.match_async(matcher, NMR_NEED, k=3, asker=Asker("a"))).result()
    assert got.logged == "logged" and got.response.results == matcher.match(NMR_NEED, k=3).results
    assert [n.id for n in log.needs()] == [got.need_id]


def test_reverse_matching_reads_stored_vectors_and_encodes_no_logged_need(
    matcher: Matcher, log: DemandLog, counting: CountingEmbedder
) -> None:
    intake = DemandIntake(log)
    for i, text in enumerate(NEEDS):
        intake.match(matcher, text, k=3, asker=Asker(f"client-{i}"))
    nmr = matcher.match(NMR_NEED, Filters(("Instrument",)), k=1).results["Instrument"][0].iri
    counting.encoded = 0
    found = intake.reverse(matcher, nmr, k=4)
    assert counting.encoded == 0  # every logged need's vector was stored when it was logged
    expected = matcher.reverse(nmr, [(str(n.id), n.text) for n in log.needs()], 4)
    assert [f.need_id for f in found] == [m.need_id for m in expected]
    np.testing.assert_allclose([f.similarity for f in found], [m.similarity for m in expected], atol=2e-4)
    assert found[0].text == NMR_NEED and "NMR" in found[0].matched_terms


def test_rows_without_a_vector_and_stated_needs_are_encoded_once(
    matcher: Matcher, log: DemandLog, counting: CountingEmbedder
) -> None:
    intake = DemandIntake(log)
    log.record(NMR_NEED, {}, [])  # as a migrated row: no vector
    stated = [("https://w3id.org/sharekg/id/entry/cup/e-1", NEEDS[1])]
    iri = matcher.index.docs[0].iri
    first = intake.reverse(matcher, iri, stated, k=5)
    assert counting.encoded == 2 and {f.need_id for f in first} == {"1", stated[0][0]}
    assert intake.reverse(matcher, iri, stated, k=5) == first and counting.encoded == 2  # stored, and kept
    with pytest.raises(MatchError, match="no resource"):
        intake.reverse(matcher, "https://w3id.org/sharekg/id/instrument/none/0")


def test_limits_must_be_positive() -> None:
    with pytest.raises(InputError, match="positive"):
        LogLimits(burst=0)
    with pytest.raises(InputError, match="dedupe_hours"):
        LogLimits(dedupe_hours=-1)
