"""Matching on Neo4j: embeddings on the resource nodes in a Neo4j vector index, a full-text index for the
lexical channel, the two rankings fused by reciprocal rank (``graph.search.fusion``; the embedded path scores
candidates on every channel instead, ``graph.search.matcher``).

Documents and vectors come from the embedded path's ``SearchIndex`` (built over
``graph.store.migrate.snapshot(store)``, since documents are read with SPARQL); ``Neo4jSearch.sync`` writes each
document's vector, text, type and place onto its nodes. The server decides the query:

- Neo4j 5.x (5.26 LTS): ``db.index.vector.queryNodes``; the index cannot filter, so the query fetches
  ``OVERFETCH`` times what is asked and filters type, current graph and place afterwards;
- Neo4j 2026.01 and later: the ``SEARCH`` clause with the type filter inside the index (an additional
  property of the vector index); graph and place are still filtered after, so it over-fetches less.

The lexical channel uses ``db.index.fulltext.queryNodes`` (Lucene) on both, post-filtered the same way.
ArcadeDB has neither index type: match there with the embedded ``SearchIndex`` over a snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from graph.errors import ConfigurationError
from graph.search.fusion import fuse
from graph.store import Neo4jStore, Server
from graph.store import cypher_queries as q

if TYPE_CHECKING:
    from graph.search.index import SearchIndex

#: Oldest Neo4j whose vector index filters inside the ``SEARCH`` clause.
SEARCH_CLAUSE_SINCE = (2026, 1)
DIMENSIONS = 384  # the vector index DDL fixes it (all-MiniLM-L6-v2)
#: Candidates fetched per result when filters apply after the index search (5.x), and inside it (2026.01+).
OVERFETCH = 10
OVERFETCH_FILTERED_IN_INDEX = 3
MIN_FETCH = 100
MAX_FETCH = 10_000
SYNC_BATCH = 500
INDEX_WAIT_S = 300
#: Channel weights of this candidate search, fixed (the embedded matcher fuses its channels by the fit instead:
#: ``graph.search.fit``).
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.3
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """The statements one server gets for matching."""

    vector_index: str
    vector_search: str
    overfetch: int
    search_clause: bool


def search_plan(server: Server) -> SearchPlan:
    """``SEARCH`` on Neo4j 2026.01+, ``db.index.vector.queryNodes`` before; refused on servers without the indexes."""
    if server.product != "neo4j":
        raise ConfigurationError(
            f"{server.agent} has no Neo4j vector or full-text index; match with the embedded search index "
            "(build it over graph.store.migrate.snapshot(store)), or point SHAREKG_NEO4J_URI at Neo4j 5.26 or later"
        )
    if server.version >= SEARCH_CLAUSE_SINCE:
        return SearchPlan(q.CREATE_VECTOR_INDEX_25, q.VECTOR_SEARCH_25, OVERFETCH_FILTERED_IN_INDEX, True)
    return SearchPlan(q.CREATE_VECTOR_INDEX_5, q.VECTOR_SEARCH_5, OVERFETCH, False)


def lucene_text(text: str) -> str:
    """A need as a Lucene query of plain terms: every operator character escaped.

    >>> lucene_text('XAFS (K-edge) "in situ"')
    'XAFS \\\\(K\\\\-edge\\\\) \\\\"in situ\\\\"'
    """
    return _LUCENE_SPECIAL.sub(r"\\\1", " ".join(text.split()))


@dataclass(frozen=True, slots=True)
class Place:
    country: str | None = None
    region: str | None = None
    city: str | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    iri: str
    score: float  # fused reciprocal-rank score
    cosine: float | None  # from the vector index, when the dense channel found it
    bm25: float | None  # Lucene score, when the lexical channel found it


class Neo4jSearch:
    """Vector and full-text search over one ``Neo4jStore``."""

    def __init__(self, store: Neo4jStore) -> None:
        self.store = store
        self.plan = search_plan(store.server)

    def ensure_indexes(self) -> None:
        """Create both indexes when missing and wait until they are online."""
        self.store.execute(self.plan.vector_index, write=True)
        self.store.execute(q.CREATE_FULLTEXT_INDEX, write=True)
        self.store.execute(q.AWAIT_INDEXES, {"seconds": INDEX_WAIT_S}, write=True)

    def sync(self, index: SearchIndex) -> int:
        """Write every document's vector, text, type and place onto its nodes; returns the documents written."""
        if index.vectors.shape[1:] != (DIMENSIONS,):
            raise ConfigurationError(
                f"the Neo4j vector index holds {DIMENSIONS}-dimensional vectors; model {index.model} gives "
                f"{index.vectors.shape[1:]}. Use SHAREKG_MODEL=all-MiniLM-L6-v2 with Neo4j"
            )
        self.ensure_indexes()
        rows = [
            {
                "iri": d.iri,
                "type": d.type,
                "text": d.text,
                "country": d.country,
                "region": d.region,
                "city": d.city,
                "vector": [float(x) for x in index.vectors[i]],
            }
            for i, d in enumerate(index.docs)
        ]
        for start in range(0, len(rows), SYNC_BATCH):
            self.store.execute(q.SET_SEARCH_PROPERTIES, {"rows": rows[start : start + SYNC_BATCH]}, write=True)
        self.store.execute(q.AWAIT_INDEXES, {"seconds": INDEX_WAIT_S}, write=True)
        return len(rows)

    def search(
        self, vector: np.ndarray, text: str, type_name: str, k: int, place: Place | None = None
    ) -> list[SearchHit]:
        """The ``k`` best resources of one type for a need (its vector and its text), fused by rank."""
        place = place or Place()
        depth = max(MIN_FETCH, 5 * k)
        params = {
            "type": type_name,
            "graphs": [e.graph for e in self.store.sources().values()],
            "k": depth,
            "fetch": min(MAX_FETCH, depth * self.plan.overfetch),
            "country": _lower(place.country),
            "region": _lower(place.region),
            "city": _lower(place.city),
        }
        dense = self.store.execute(self.plan.vector_search, {**params, "vector": [float(x) for x in vector]})
        lexical = self.store.execute(q.FULLTEXT_SEARCH, {**params, "text": lucene_text(text), "fetch": depth * 3})
        return fused(
            [(r["uri"], float(r["score"])) for r in dense], [(r["uri"], float(r["score"])) for r in lexical], k
        )


def fused(dense: Sequence[tuple[str, float]], lexical: Sequence[tuple[str, float]], k: int) -> list[SearchHit]:
    """Join the channels' rankings (IRIs, best first; repeats of one IRI count once) with weighted RRF."""
    ids: dict[str, int] = {}
    rankings = {
        channel: [ids.setdefault(iri, len(ids)) for iri in dict.fromkeys(iri for iri, _ in ranking)]
        for channel, ranking in (("dense", dense), ("lexical", lexical))
    }
    iris = list(ids)
    cosines, bm25 = dict(reversed(dense)), dict(reversed(lexical))  # the best score of each IRI
    return [
        SearchHit(iris[i], round(score, 6), cosines.get(iris[i]), bm25.get(iris[i]))
        for i, score in fuse(rankings, weights={"dense": DENSE_WEIGHT, "lexical": LEXICAL_WEIGHT})[:k]
    ]


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if value else None


__all__ = ["DIMENSIONS", "Neo4jSearch", "Place", "SearchHit", "SearchPlan", "fused", "lucene_text", "search_plan"]
