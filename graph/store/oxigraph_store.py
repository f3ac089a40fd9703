"""The embedded default store: Oxigraph (pyoxigraph) on disk, SPARQL 1.1, no server needed.

Writes go to a new named graph with Oxigraph's bulk loader (fast, and invisible until the catalogue
points at it); the catalogue flip is one SPARQL update, which Oxigraph applies in one transaction.
Queries name the current graphs explicitly, so half-written or replaced graphs are never seen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from graph.errors import ConfigurationError, StoreError
from graph.store import sparql_queries as q
from graph.store.protocol import BASE, CATALOGUE_GRAPH, GRAPH_PREFIX, SourceEntry, Term, Triple, TypeCount, write_export

#: Quads per bulk-loader call: bounds the loader's memory (one call over 1M quads peaked near 2 GB).
BULK_CHUNK = 200_000


def _substitute(template: str, **values: ox.NamedNode | ox.Literal) -> str:
    """Fill ``?name`` placeholders with N-Triples terms (pyoxigraph escapes them)."""
    text = template
    for name, term in values.items():
        text = text.replace(f"?{name} ", f"{term} ").replace(f"?{name}\n", f"{term}\n")
    return text


class OxigraphStore:
    """``graph.store.Store`` on a pyoxigraph ``Store``."""

    def __init__(self, store: ox.Store, location: Path | None, read_only: bool) -> None:
        self._store = store
        self.location = location
        self.read_only = read_only
        self._write_lock = threading.Lock()

    @classmethod
    def open(cls, location: Path | None, *, read_only: bool = False) -> OxigraphStore:
        try:
            if location is None:
                return cls(ox.Store(), None, read_only)
            if read_only:
                return cls(ox.Store.read_only(str(location)), location, True)
            location.mkdir(parents=True, exist_ok=True)
            return cls(ox.Store(str(location)), location, False)
        except OSError as e:
            raise StoreError(
                f"cannot open the store at {location}: {e}. If another sharekg process (a server or an ingest) "
                "has it open, stop that process or point --data-dir elsewhere"
            ) from e

    def _writable(self) -> None:
        if self.read_only:
            raise ConfigurationError("the store was opened read-only; open it without read_only to write")

    def sources(self) -> dict[str, SourceEntry]:
        rows = self._store.query(q.CATALOGUE_QUERY, default_graph=ox.DefaultGraph())
        assert isinstance(rows, ox.QuerySolutions)
        return {r["name"].value: SourceEntry(r["name"].value, r["graph"].value, r["checksum"].value) for r in rows}

    def _current_graphs(self) -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
        return [ox.NamedNode(e.graph) for e in self.sources().values()]

    def stage(self, source: str, run_id: str, triples: Iterable[Triple]) -> int:
        self._writable()
        graph = ox.NamedNode(f"{GRAPH_PREFIX}{source}/{run_id}")
        quads = (ox.Quad(s, p, o, graph) for s, p, o in triples)
        with self._write_lock:
            try:
                while chunk := list(islice(quads, BULK_CHUNK)):
                    self._store.bulk_extend(chunk)
            except OSError as e:
                raise StoreError(f"writing source {source!r} failed: {e}; the previous graph is unchanged") from e
        rows = self._store.query(q.GRAPH_SIZE_QUERY, default_graph=graph)
        assert isinstance(rows, ox.QuerySolutions)
        return int(next(rows)["n"].value)

    def publish(self, source: str, run_id: str, checksum: str) -> None:
        self._writable()
        update = _substitute(
            q.FLIP_UPDATE,
            source=ox.NamedNode(f"{BASE}source/{source}"),
            name=ox.Literal(source),
            graph=ox.NamedNode(f"{GRAPH_PREFIX}{source}/{run_id}"),
            checksum=ox.Literal(checksum),
        )
        with self._write_lock:
            self._store.update(update)

    def replace_source(self, source: str, run_id: str, triples: Iterable[Triple], checksum: str) -> int:
        size = self.stage(source, run_id, triples)
        self.publish(source, run_id, checksum)
        return size

    def remove_source(self, source: str) -> bool:
        self._writable()
        if source not in self.sources():
            return False
        with self._write_lock:
            self._store.update(_substitute(q.REMOVE_UPDATE, source=ox.NamedNode(f"{BASE}source/{source}")))
        return True

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        graphs = self._current_graphs()
        named: list[ox.NamedNode | ox.BlankNode] = [g for g in graphs if isinstance(g, ox.NamedNode)]
        return self._store.query(sparql, default_graph=graphs, named_graphs=[*named, CATALOGUE_GRAPH])

    def quads(self) -> Iterator[ox.Quad]:
        for graph in [CATALOGUE_GRAPH, *self._current_graphs()]:
            yield from self._store.quads_for_pattern(None, None, None, graph)

    def describe(self, iri: str) -> list[tuple[ox.NamedNode, Term]]:
        subject = ox.NamedNode(iri)
        seen: dict[tuple[ox.NamedNode, Term], None] = {}
        for graph in self._current_graphs():
            for quad in self._store.quads_for_pattern(subject, None, None, graph):
                seen[(quad.predicate, quad.object)] = None  # type: ignore[index]
        return list(seen)

    def incoming(self, iri: str, limit: int) -> list[tuple[ox.NamedNode, ox.NamedNode]]:
        target = ox.NamedNode(iri)
        seen: dict[tuple[ox.NamedNode, ox.NamedNode], None] = {}
        for graph in self._current_graphs():
            for quad in self._store.quads_for_pattern(None, None, target, graph):
                if isinstance(quad.subject, ox.NamedNode):
                    seen[(quad.subject, quad.predicate)] = None
                if len(seen) >= limit:
                    return list(seen)
        return list(seen)

    def count_by_type(self) -> list[TypeCount]:
        by_graph = {e.graph: e.source for e in self.sources().values()}
        rows = self._store.query(q.COUNT_BY_TYPE_QUERY, named_graphs=[ox.NamedNode(g) for g in by_graph])
        assert isinstance(rows, ox.QuerySolutions)
        return [TypeCount(by_graph[r["graph"].value], r["type"].value, int(r["n"].value)) for r in rows]

    def backup(self, target: Path) -> None:
        """A consistent copy of the store at ``target`` (hard links where on the same file system), which another
        process may open with ``open(target, read_only=True)`` while this one goes on writing."""
        if self.location is None:
            raise ConfigurationError("an in-memory store has no files to back up; copy it with copy_store")
        try:
            self._store.backup(str(target))
        except OSError as e:
            raise StoreError(f"cannot back up the store to {target}: {e}") from e

    def backup_union(self, target: Path, graphs: Iterable[str]) -> None:
        """A copy at ``target`` (as ``backup``) whose named graphs are ``graphs`` (the current source graphs, as the
        caller read them from ``sources``) and nothing else (no catalogue, no staged or superseded graph): there the
        union of all named graphs is the graph ``query`` reads by default, so a reader may query it with
        ``use_default_graph_as_union``, which Oxigraph evaluates two to three times faster than the same union
        named as a list of graphs (``benchmarks/results/load.md``). The copy has no catalogue: it is for reading,
        never for publishing."""
        current = set(graphs)
        self.backup(target)
        try:
            copy = ox.Store(str(target))
            for graph in list(copy.named_graphs()):
                if not (isinstance(graph, ox.NamedNode) and graph.value in current):
                    copy.remove_graph(graph)
            copy.clear_graph(ox.DefaultGraph())
            copy.flush()
            del copy
        except OSError as e:
            raise StoreError(f"cannot prune the copy of the store at {target}: {e}") from e

    def export(self, fmt: str, output: BinaryIO) -> None:
        write_export(self.quads(), fmt, output)

    def collect_garbage(self) -> int:
        self._writable()
        with self._write_lock:
            keep = {CATALOGUE_GRAPH.value, *(e.graph for e in self.sources().values())}
            garbage = [
                g
                for g in self._store.named_graphs()
                if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH_PREFIX) and g.value not in keep
            ]
            for graph in garbage:
                self._store.remove_graph(graph)
        return len(garbage)

    def close(self) -> None:
        if not self.read_only:
            self._store.flush()
        del self._store
