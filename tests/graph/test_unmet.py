"""Unmet needs with the real model: needs nothing fitted are found, grouped by meaning, named by subject, counted
per month; needs the catalogue serves are left out."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyoxigraph as ox
import pytest

from graph.centre.demand import DemandLog, TopResult, top_results
from graph.centre.unmet import DEFAULT_THRESHOLD, average_linkage, unmet_needs
from graph.errors import InputError
from graph.search import Embedder, EmbeddingCache, Filters, Matcher
from graph.search.index import SearchIndex
from graph.store import BASE, Triple, open_store
from ontology.terms import DCT, RDF_, RDFS_, SKG, SKOS_

ANZSRC = "https://linked.data.gov.au/def/anzsrc-for/2020"
PANET = "http://purl.org/pan-science/PaNET"
SUBJECTS = {
    f"{ANZSRC}/370801": ("Biological oceanography", ANZSRC),
    f"{ANZSRC}/320210": ("Geriatrics and gerontology", ANZSRC),
    f"{ANZSRC}/340605": ("Molecular imaging (incl. electron microscopy and neutron diffraction)", ANZSRC),
    f"{PANET}/PaNET01196": ("x-ray absorption spectroscopy", f"{PANET}/PaNET"),
    f"{PANET}/PaNET01283": ("nuclear magnetic resonance spectroscopy", f"{PANET}/PaNET"),
}
XANES = f"{BASE}instrument/xas-beamlines/ALS%2F11.0.2"
NMR = f"{BASE}instrument/nsf-mri/1726812"
INSTRUMENTS = {
    XANES: ("ALS 11.0.2", "Micro-XANES, PES in non-UHV environment or XANES microscopy. X-ray absorption beamline."),
    NMR: ("Acquisition of a 600 MHz NMR spectrometer", "A solution and solid-state NMR spectrometer for chemistry."),
}


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def catalogue() -> list[Triple]:
    t: list[Triple] = []
    for iri, (label, description) in INSTRUMENTS.items():
        t += [(n(iri), RDF_.type, SKG.Instrument), (n(iri), RDFS_.label, ox.Literal(label))]
        t.append((n(iri), DCT.description, ox.Literal(description)))
    for iri, (label, scheme) in SUBJECTS.items():
        t += [(n(iri), RDF_.type, SKG.Subject), (n(iri), SKOS_.prefLabel, ox.Literal(label))]
        t.append((n(iri), SKOS_.inScheme, n(scheme)))
    return t


@pytest.fixture(scope="module")
def index(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    store = open_store(None)
    store.replace_source("catalogue", "r1", catalogue(), "c1")
    cache = EmbeddingCache(tmp_path_factory.mktemp("cache") / "embeddings.sqlite")
    built = SearchIndex.build(store, embedder, cache)
    cache.close()
    store.close()
    return built


def asked(month: int, day: int = 10) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)


OCEAN = [
    "We want to sample plankton in coastal waters and count the species in each sample",
    "Our team studies how ocean warming changes the plankton community near the coast",
    "We need to monitor marine plankton blooms and the fish larvae that feed on them",
]
ELDERLY = [
    "We want to interview elderly people living alone about loneliness",
    "A study of social isolation and loneliness among older adults in care homes",
]


def test_needs_nothing_fitted_are_clustered_and_named_by_subject(
    log: DemandLog, index: SearchIndex, embedder: Embedder
) -> None:
    met = "We need a beamline for micro-XANES microscopy of iron in soil minerals"  # cosine 0.49 with ALS 11.0.2
    log.record(met, {}, [(XANES, 0.03)], asked_at=asked(1))
    for month, text in zip((1, 2, 3), OCEAN, strict=True):
        log.record(text, {}, [(NMR, 0.02)], asked_at=asked(month))  # old style: no cosine, recomputed
    for month, text in zip((2, 3), ELDERLY, strict=True):
        log.record(text, {}, [TopResult(NMR, 0.02, "Instrument", 1, 0.08)], asked_at=asked(month), team="Team Care")
    report = unmet_needs(log, index, embedder)
    assert (report.considered, report.unmet) == (6, 5)
    assert report.months == ("2026-01", "2026-02", "2026-03")
    assert report.per_month == (("2026-01", 1), ("2026-02", 2), ("2026-03", 2))
    ocean, elderly = report.clusters
    assert ocean.label == "Biological oceanography" and ocean.size == 3
    assert ocean.per_month == (("2026-01", 1), ("2026-02", 1), ("2026-03", 1))
    assert set(ocean.examples) <= set(OCEAN) and len(ocean.examples) == 3
    assert elderly.label == "Geriatrics and gerontology" and {n.text for n in elderly.needs} == set(ELDERLY)
    assert elderly.needs[0].team == "Team Care" and elderly.needs[0].best_fit == 0.08
    assert all(n.best_fit < report.threshold for c in report.clusters for n in c.needs)
    assert 0.5 <= ocean.cohesion < 1.0


def test_logged_cosines_decide_and_the_threshold_is_a_parameter(
    log: DemandLog, index: SearchIndex, embedder: Embedder
) -> None:
    log.record(ELDERLY[0], {}, [TopResult(NMR, 0.02, "Instrument", 1, 0.30)], asked_at=asked(4))
    log.record(OCEAN[0], {}, [TopResult(NMR, 0.02, "Instrument", 1, 0.50)], asked_at=asked(4))
    assert unmet_needs(log, index, embedder).unmet == 1
    assert unmet_needs(log, index, embedder, threshold=0.6).unmet == 2
    assert unmet_needs(log, index, embedder, threshold=0.2).clusters == ()


def test_the_unmet_needs_are_those_the_matcher_told_nothing_fits(
    log: DemandLog, index: SearchIndex, embedder: Embedder
) -> None:
    """Logged as the service logs them (``top_results`` of the matcher's answer), a need is unmet when its answer
    said that nothing fits it well, whatever its best cosine; the threshold judges only needs logged without that."""
    matcher = Matcher(index, embedder)
    met = "We need a beamline for micro-XANES microscopy of iron in soil minerals"
    for text in (met, OCEAN[0]):
        response = matcher.match(text, Filters(types=("Instrument",)), k=2)
        assert bool(response.notes) == (text != met)  # the plankton need is told nothing fits
        log.record(text, {}, top_results(response), asked_at=asked(5))
    for threshold in (-1.0, DEFAULT_THRESHOLD, 1.0):
        report = unmet_needs(log, index, embedder, threshold=threshold)
        assert [n.text for c in report.clusters for n in c.needs] == [OCEAN[0]] and report.by_threshold == 0
    log.record(ELDERLY[0], {}, [TopResult(NMR, 0.02, "Instrument", 1, 0.30)], asked_at=asked(5))  # an older row
    report = unmet_needs(log, index, embedder)
    assert (report.unmet, report.by_threshold) == (2, 1)


def test_a_window_fixes_the_months_and_an_empty_log_reports_nothing(
    log: DemandLog, index: SearchIndex, embedder: Embedder
) -> None:
    empty = unmet_needs(log, index, embedder, since=asked(1, 1), until=datetime(2026, 4, 1, tzinfo=UTC))
    assert (empty.considered, empty.unmet, empty.clusters) == (0, 0, ())
    assert empty.per_month == (("2026-01", 0), ("2026-02", 0), ("2026-03", 0))
    with pytest.raises(InputError, match="between -1 and 1"):
        unmet_needs(log, index, embedder, threshold=2.0)


def test_average_linkage_merges_while_the_mean_similarity_holds() -> None:
    a, b, c = np.array([1.0, 0.0]), np.array([0.8, 0.6]), np.array([0.0, 1.0])
    # a·b = 0.8, b·c = 0.6, a·c = 0: {a, b} first, then c joins at mean (0 + 0.6) / 2 = 0.3
    assert average_linkage(np.stack([a, b, c]), 0.5) == [[0, 1], [2]]
    assert average_linkage(np.stack([a, b, c]), 0.3) == [[0, 1, 2]]
    assert average_linkage(np.zeros((0, 2)), 0.5) == []
