"""Browsing the index (``graph.search.browse``) on real fixture records: filters, BM25 order, pages, facets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.search import Embedder, EmbeddingCache, SearchIndex, browse
from graph.search.index import open_index
from graph.store import open_store
from tests.graph.conftest import load


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[SearchIndex]:
    folder: Path = tmp_path_factory.mktemp("browse")
    store = open_store(folder / "store")
    load(store)
    cache = EmbeddingCache(folder / "embeddings.sqlite")
    built, _ = open_index(store, embedder, cache, folder / "index")
    cache.close()
    store.close()
    yield built


def test_everything_by_label_with_facets_over_all_that_passed(index: SearchIndex) -> None:
    page = browse(index, limit=5)
    assert page.total == len(index.docs) and len(page.items) == 5
    assert all(item.score is None for item in page.items)
    everything = browse(index, limit=len(index.docs)).items
    labels = [item.doc.label.lower() for item in everything]
    assert labels == sorted(labels)
    assert sum(f.count for f in page.facets["type"]) == page.total
    assert list(page.facets) == ["type", "organization", "region", "country", "subject"]
    second = browse(index, offset=5, limit=5)
    assert not {i.doc.iri for i in page.items} & {i.doc.iri for i in second.items}


def test_words_rank_by_bm25_and_filters_narrow(index: SearchIndex) -> None:
    found = browse(index, q="NMR", types=["Instrument"])
    assert found.items and all(i.doc.type == "Instrument" for i in found.items)
    scores = [i.score for i in found.items]
    assert all(s is not None and s > 0 for s in scores) and scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    assert "NMR" in found.items[0].doc.label
    organization = found.items[0].doc.organization_label
    narrowed = browse(index, q="NMR", organization=organization.upper())  # text compares case-insensitively
    assert narrowed.total >= 1 and all(i.doc.organization_label == organization for i in narrowed.items)
    assert {f.value for f in narrowed.facets["organization"]} == {organization}
    country = next(d.country for d in index.docs if d.country)
    there = browse(index, types=["Instrument", "Facility"], country=f" {country.lower()} ", limit=100)
    assert there.total >= 1 and all(i.doc.country == country and i.doc.type != "Dataset" for i in there.items)
    assert browse(index, subject="https://example.org/no-such-subject").total == 0
    assert browse(index, q="zzzzqqq").total == 0
