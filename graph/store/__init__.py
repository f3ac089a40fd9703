"""The graph store: one named graph per source behind ``Store`` (every backend) and ``SparqlStore`` (a store that
also answers SPARQL); the embedded Oxigraph backend (the default) and the Neo4j one; copying between them; and the
SPARQL helpers the graph's readers share. The statements each backend runs are named constants, one module per
language: ``from graph.store import sparql_queries as q`` (or ``cypher_queries``)."""

from graph.store.factory import open_neo4j_store, open_store
from graph.store.migrate import CopiedSource, copy_store, snapshot, sparql_view
from graph.store.neo4j_store import Neo4jStore, Server
from graph.store.oxigraph_store import OxigraphStore
from graph.store.protocol import (
    BASE,
    CATALOGUE_GRAPH,
    EXPORT_FORMATS,
    GRAPH_PREFIX,
    SourceEntry,
    SparqlStore,
    Store,
    Term,
    Triple,
    TypeCount,
    write_export,
)
from graph.store.sparql import PREFIXES, iri_ref, select

__all__ = [
    "BASE",
    "CATALOGUE_GRAPH",
    "EXPORT_FORMATS",
    "GRAPH_PREFIX",
    "PREFIXES",
    "CopiedSource",
    "Neo4jStore",
    "OxigraphStore",
    "Server",
    "SourceEntry",
    "SparqlStore",
    "Store",
    "Term",
    "Triple",
    "TypeCount",
    "copy_store",
    "iri_ref",
    "open_neo4j_store",
    "open_store",
    "select",
    "snapshot",
    "sparql_view",
    "write_export",
]
