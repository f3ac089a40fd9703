"""Copying a graph between stores: the embedded store into Neo4j (``sharekg migrate --to neo4j``), or back.

Each source's current graph is staged in the target under the same graph name and published with the
same checksum, one source at a time, so the target's catalogue says exactly what the source's says and a
later ``sharekg ingest`` against the target skips unchanged inputs. A source whose entry the target
already has (same graph, same checksum) is skipped, so running it again copies nothing; sources only
the target has are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import cast

import pyoxigraph as ox

from graph.store.factory import open_store
from graph.store.protocol import GRAPH_PREFIX, SparqlStore, Store, Triple

CopyProgress = Callable[[str, int], None]  # (source, triples copied)


@dataclass(frozen=True, slots=True)
class CopiedSource:
    source: str
    graph: str
    triples: int
    status: str  # "copied" | "unchanged"


def copy_store(source: Store, target: Store, progress: CopyProgress | None = None) -> list[CopiedSource]:
    """Copy every current source graph of ``source`` into ``target``, publishing each as it completes."""
    by_graph = {e.graph: e for e in source.sources().values()}
    present = target.sources()
    done: list[CopiedSource] = []
    for graph, quads in groupby(source.quads(), key=lambda quad: cast(ox.NamedNode, quad.graph_name).value):
        entry = by_graph.get(graph)
        if entry is None:  # the catalogue: rebuilt by publishing
            continue
        if present.get(entry.source) == entry:
            done.append(CopiedSource(entry.source, graph, 0, "unchanged"))
            continue
        run_id = graph.removeprefix(f"{GRAPH_PREFIX}{entry.source}/")
        size = target.stage(entry.source, run_id, _triples(quads, entry.source, progress))
        target.publish(entry.source, run_id, entry.checksum)
        done.append(CopiedSource(entry.source, graph, size, "copied"))
    return done


def snapshot(store: Store) -> SparqlStore:
    """An in-memory embedded copy of ``store``: SPARQL (and what is built on it, such as the search index's
    documents) over a Neo4j graph. Holds the whole graph in memory."""
    copy = open_store(None)
    copy_store(store, copy)
    return copy


def sparql_view(store: Store) -> SparqlStore:
    """``store`` itself when it answers SPARQL (the embedded store), else an in-memory ``snapshot`` of it."""
    return store if isinstance(store, SparqlStore) else snapshot(store)


def _triples(quads: Iterator[ox.Quad], source: str, progress: CopyProgress | None) -> Iterator[Triple]:
    for n, quad in enumerate(quads, start=1):
        yield cast(Triple, (quad.subject, quad.predicate, quad.object))
        if progress is not None and n % 10_000 == 0:
            progress(source, n)


__all__ = ["CopiedSource", "copy_store", "snapshot", "sparql_view"]
