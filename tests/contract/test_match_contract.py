"""Matching over every backend: a sample source ingested into the store, the search index built from what the
store gives back; its documents and best matches are those of the embedded store. (Neo4j's own indexes are
tested in tests/graph/test_neo4j_search.py.)

Compared loosely: a document joins the values of one property (techniques, keywords) in store order, and the
matcher breaks ties by document position, which follows store order too."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.search import EmbeddingCache, Filters, Matcher
from graph.search.index import SearchIndex
from graph.store import Store, open_store
from graph.store.migrate import snapshot
from ingest.pipeline import ingest_source, plan
from tests.conftest import SAMPLE

if TYPE_CHECKING:
    from graph.search import Embedder

NEED = "X-ray absorption spectroscopy of catalysts at the K-edge"


def build(store: Store, embedder: Embedder, cache: Path) -> SearchIndex:
    return SearchIndex.build(snapshot(store), embedder, EmbeddingCache(cache))


def documents(index: SearchIndex) -> dict[str, tuple[str, str, list[str]]]:
    """Each document's type, label and words (values of one property are joined in store order)."""
    return {d.iri: (d.type, d.label, sorted(re.findall(r"\w+", " ".join(d.passages)))) for d in index.docs}


def top(index: SearchIndex, embedder: Embedder, k: int) -> list[str]:
    response = Matcher(index, embedder).match(NEED, Filters(types=("Instrument",)), k=k)
    return [r.iri for r in response.results["Instrument"]]


@pytest.mark.slow  # loads the model and embeds a source
def test_match_finds_the_same_resources_on_every_backend(backend: Store, embedder: Embedder, tmp_path: Path) -> None:
    (source_plan,) = plan([SAMPLE / "xas-beamlines"])
    assert ingest_source(backend, source_plan, None).status == "loaded"
    reference = open_store(None)
    ingest_source(reference, source_plan, None)
    expected = build(reference, embedder, tmp_path / "cache.sqlite")
    found = build(backend, embedder, tmp_path / "cache.sqlite")
    assert documents(found) == documents(expected)
    assert top(found, embedder, 1)[0] in top(expected, embedder, 5)
