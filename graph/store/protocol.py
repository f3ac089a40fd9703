"""The store interfaces: ``Store``, what every backend implements, and ``SparqlStore``, a store that also answers
SPARQL (the embedded Oxigraph store; a Neo4j graph does through ``graph.store.sparql_view``).

A store holds one named graph per *source* (a catalogue file, a feed) plus a small catalogue graph
that says which graph is each source's current one. Replacing a source writes its new graph beside
the old one, then flips the catalogue entry in one transaction: a reader sees the old graph or the
new one, never half of either, and an ingest killed at any point leaves the previous graph in place.
Graphs no catalogue entry points to are garbage, removed by ``collect_garbage``.

Terms are pyoxigraph terms (``NamedNode``, ``Literal``): the one RDF term model of the project.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol, runtime_checkable

import pyoxigraph as ox

from graph.errors import ConfigurationError

#: Every IRI sharekg mints starts here (resources, organisations, graphs).
BASE = "https://w3id.org/sharekg/id/"
#: The graph that lists each source's current graph.
CATALOGUE_GRAPH = ox.NamedNode(f"{BASE}graph/catalogue")
#: Source graphs are named ``{GRAPH_PREFIX}{source}/{run id}``.
GRAPH_PREFIX = f"{BASE}graph/"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """A catalogue entry: the source, its current graph and the checksum of the input that built it."""

    source: str
    graph: str
    checksum: str


@dataclass(frozen=True, slots=True)
class TypeCount:
    source: str
    type: str
    count: int


EXPORT_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def write_export(quads: Iterable[ox.Quad], fmt: str, output: BinaryIO) -> None:
    """Serialise ``quads`` in the export format ``fmt`` (a key of ``EXPORT_FORMATS``); formats without named graphs
    get the triples. Every backend's ``export`` is this over its ``quads``."""
    try:
        rdf_format = EXPORT_FORMATS[fmt]
    except KeyError:
        raise ConfigurationError(f"unknown export format {fmt!r}; use one of {sorted(EXPORT_FORMATS)}") from None
    if rdf_format.supports_datasets:
        ox.serialize(quads, output, rdf_format)
    else:
        ox.serialize((quad.triple for quad in quads), output, rdf_format)


@runtime_checkable
class Store(Protocol):
    """What every backend does: stage and publish sources, list them, read statements, export, collect garbage."""

    def stage(self, source: str, run_id: str, triples: Iterable[Triple]) -> int:
        """Add ``triples`` to the run's new graph, unseen by queries until published; returns its size
        (distinct triples). An exception from ``triples`` aborts the stage and the graph becomes garbage."""
        ...

    def publish(self, source: str, run_id: str, checksum: str) -> None:
        """Make the run's staged graph the source's current graph, in one transaction."""
        ...

    def replace_source(self, source: str, run_id: str, triples: Iterable[Triple], checksum: str) -> int:
        """``stage`` then ``publish``: make ``triples`` the whole of ``source``'s graph, atomically."""
        ...

    def remove_source(self, source: str) -> bool:
        """Drop a source from the catalogue (its graph becomes garbage); False if it was not there."""
        ...

    def sources(self) -> dict[str, SourceEntry]:
        """The current catalogue: source name → entry."""
        ...

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the current graphs and the catalogue."""
        ...

    def describe(self, iri: str) -> list[tuple[ox.NamedNode, Term]]:
        """The resource's own statements (predicate, object) over all current graphs, without repeats."""
        ...

    def incoming(self, iri: str, limit: int) -> list[tuple[ox.NamedNode, ox.NamedNode]]:
        """Up to ``limit`` (subject, predicate) pairs of statements whose object is the resource."""
        ...

    def count_by_type(self) -> list[TypeCount]: ...

    def export(self, fmt: str, output: BinaryIO) -> None: ...

    def collect_garbage(self) -> int:
        """Remove graphs no catalogue entry points to (left by replaced sources or killed runs)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class SparqlStore(Store, Protocol):
    """A store that also answers SPARQL. Code that reads the graph with SPARQL asks for one in its signature; the
    wiring (``graph.store.sparql_view``) gives it the store itself or an in-memory copy of a Neo4j graph."""

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Run a read-only SPARQL query over the current graphs (their union is the default graph)."""
        ...


__all__ = [
    "BASE",
    "CATALOGUE_GRAPH",
    "EXPORT_FORMATS",
    "GRAPH_PREFIX",
    "SourceEntry",
    "SparqlStore",
    "Store",
    "Term",
    "Triple",
    "TypeCount",
    "write_export",
]
