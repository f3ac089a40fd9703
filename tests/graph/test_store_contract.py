"""The store contract: every backend passes the same tests (today: Oxigraph on disk and in memory)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.store import Store, Triple, open_store

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
THING = ox.NamedNode("https://example.org/Thing")


def things(n: int, prefix: str = "a") -> list[Triple]:
    triples: list[Triple] = []
    for i in range(n):
        node = ox.NamedNode(f"https://example.org/{prefix}/{i}")
        triples += [(node, RDF_TYPE, THING), (node, LABEL, ox.Literal(f"{prefix} {i}"))]
    return triples


@pytest.fixture(params=["oxigraph-disk", "oxigraph-memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "store" if request.param == "oxigraph-disk" else None)
    yield s
    s.close()


def labels(store: Store) -> set[str]:
    rows = store.query(f"SELECT ?l WHERE {{ ?s <{LABEL.value}> ?l }}")
    assert isinstance(rows, ox.QuerySolutions)
    return {r["l"].value for r in rows}  # type: ignore[union-attr]


def test_replace_source_publishes_and_counts_distinct_triples(store: Store) -> None:
    assert store.replace_source("s1", "r1", things(3) + things(3), "c1") == 6
    assert store.sources()["s1"].checksum == "c1"
    assert labels(store) == {"a 0", "a 1", "a 2"}


def test_replacing_a_source_leaves_other_sources_alone(store: Store) -> None:
    store.replace_source("s1", "r1", things(2, "a"), "c1")
    store.replace_source("s2", "r1", things(2, "b"), "c2")
    store.replace_source("s1", "r2", things(1, "c"), "c3")
    assert labels(store) == {"b 0", "b 1", "c 0"}
    assert store.collect_garbage() == 1


def test_staged_graph_is_invisible_until_published(store: Store) -> None:
    store.replace_source("s1", "r1", things(2, "a"), "c1")
    store.stage("s1", "r2", things(2, "new"))
    assert labels(store) == {"a 0", "a 1"}
    store.publish("s1", "r2", "c2")
    assert labels(store) == {"new 0", "new 1"}


def test_failure_while_staging_keeps_the_published_graph(store: Store) -> None:
    store.replace_source("s1", "r1", things(2, "a"), "c1")

    def broken() -> Iterator[Triple]:
        yield from things(1000, "partial")
        raise RuntimeError("reader crashed")

    with pytest.raises(RuntimeError):
        store.replace_source("s1", "r2", broken(), "c2")
    assert labels(store) == {"a 0", "a 1"}
    assert store.sources()["s1"].checksum == "c1"
    store.collect_garbage()
    assert labels(store) == {"a 0", "a 1"}


def test_remove_source(store: Store) -> None:
    store.replace_source("s1", "r1", things(1), "c1")
    assert store.remove_source("s1")
    assert not store.remove_source("s1")
    assert labels(store) == set()
    assert store.collect_garbage() == 1


def test_count_by_type_is_per_source(store: Store) -> None:
    store.replace_source("s1", "r1", things(3, "a"), "c1")
    store.replace_source("s2", "r1", things(1, "b"), "c2")
    counts = {(c.source, c.type): c.count for c in store.count_by_type()}
    assert counts == {("s1", THING.value): 3, ("s2", THING.value): 1}


@pytest.mark.parametrize("fmt", ["turtle", "nquads", "jsonld", "ntriples", "trig", "rdfxml"])
def test_export_round_trips(store: Store, fmt: str) -> None:
    store.replace_source("s1", "r1", things(2), "c1")
    out = io.BytesIO()
    store.export(fmt, out)
    parsed = ox.Store()
    from graph.store import EXPORT_FORMATS

    parsed.load(out.getvalue(), format=EXPORT_FORMATS[fmt])
    labels_found = {q.object.value for q in parsed.quads_for_pattern(None, LABEL, None)}
    assert labels_found == {"a 0", "a 1"}
