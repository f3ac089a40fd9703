"""Matching on Neo4j: the query each server gets (no server needed), and search against a real Neo4j."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.errors import ConfigurationError
from graph.search.neo4j_search import OVERFETCH, Neo4jSearch, fused, lucene_text, search_plan
from graph.store import cypher_queries as q
from graph.store.neo4j_store import Neo4jStore, identify_server

if TYPE_CHECKING:
    from graph.search import Embedder


@pytest.mark.parametrize(
    ("agent", "version", "clause"),
    [
        ("Neo4j/5.26.3", "5.26.3", False),
        ("Neo4j/2025.10.1", "2025.10.1", False),
        ("Neo4j/2026.01.0", "2026.01.0", True),
        ("Neo4j/2026.09.2", "2026.09.2", True),
    ],
)
def test_the_server_version_picks_procedure_or_search_clause(agent: str, version: str, clause: bool) -> None:
    plan = search_plan(identify_server(agent, [version]))
    assert plan.search_clause is clause
    if clause:
        assert plan.vector_search is q.VECTOR_SEARCH_25 and "SEARCH node IN" in plan.vector_search
        assert plan.vector_index is q.CREATE_VECTOR_INDEX_25 and "WITH [n.sharekg_type]" in plan.vector_index
        assert plan.overfetch < OVERFETCH  # the type filter runs inside the index
    else:
        assert plan.vector_search is q.VECTOR_SEARCH_5 and "db.index.vector.queryNodes" in plan.vector_search
        assert plan.overfetch == OVERFETCH


def test_both_vector_indexes_are_384_dimensional_cosine() -> None:
    for ddl in (q.CREATE_VECTOR_INDEX_5, q.CREATE_VECTOR_INDEX_25):
        assert "`vector.dimensions`: 384" in ddl and "'cosine'" in ddl


def test_arcadedb_is_told_to_use_the_embedded_index() -> None:
    with pytest.raises(ConfigurationError, match="embedded search index"):
        search_plan(identify_server("Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)", ["5.26.0"]))


def test_need_text_becomes_plain_lucene_terms() -> None:
    assert lucene_text("NMR && (XAFS || EXAFS)?") == "NMR \\&& \\(XAFS \\|| EXAFS\\)\\?"
    assert lucene_text("  two\nlines ") == "two lines"


def test_rankings_fuse_by_rank_with_the_matchers_weights() -> None:
    hits = fused([("a", 0.9), ("b", 0.8)], [("b", 7.0), ("c", 5.0), ("b", 1.0)], k=3)
    assert [h.iri for h in hits] == ["b", "a", "c"]
    assert (hits[0].cosine, hits[0].bm25) == (0.8, 7.0)
    assert hits[2].cosine is None


# ---- against a real Neo4j ----------------------------------------------------------------------


@pytest.fixture
def neo4j_store() -> Iterator[Neo4jStore]:
    from tests.contract.conftest import empty, neo4j_settings

    store = Neo4jStore.open(*neo4j_settings())
    empty(store)
    yield store
    store.close()


@pytest.mark.neo4j
@pytest.mark.slow
def test_search_on_neo4j_finds_what_the_embedded_matcher_finds(
    neo4j_store: Neo4jStore, embedder: Embedder, tmp_path: Path
) -> None:
    from graph.search import EmbeddingCache, Filters, Matcher
    from graph.search.index import SearchIndex
    from graph.store.migrate import snapshot
    from ingest.pipeline import ingest_source, plan
    from tests.conftest import SAMPLE

    (source_plan,) = plan([SAMPLE / "xas-beamlines"])
    ingest_source(neo4j_store, source_plan, None)
    index = SearchIndex.build(snapshot(neo4j_store), embedder, EmbeddingCache(tmp_path / "cache.sqlite"))
    search = Neo4jSearch(neo4j_store)
    assert search.sync(index) == len(index.docs)
    need = "X-ray absorption spectroscopy of catalysts at the K-edge"
    embedded = Matcher(index, embedder).match(need, Filters(types=("Instrument",)), k=10).results["Instrument"]
    hits = search.search(embedder.encode([need])[0], need, "Instrument", k=10)
    assert hits and hits[0].iri in {r.iri for r in embedded}
    assert all(h.iri.startswith("https://w3id.org/sharekg/id/") for h in hits)
