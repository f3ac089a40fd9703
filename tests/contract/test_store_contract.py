"""The store contract: the same tests against every backend (embedded Oxigraph; ArcadeDB and Neo4j over Bolt)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import SharekgError
from graph.store import CATALOGUE_GRAPH, EXPORT_FORMATS, Store, Triple, open_store
from graph.store.migrate import copy_store
from ingest.pipeline import ingest_source, plan
from tests.conftest import SAMPLE

EX = "https://example.org/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
SKG = "https://w3id.org/sharekg/ns#"
INSTRUMENT = ox.NamedNode(f"{SKG}Instrument")
HOSTED_BY = ox.NamedNode(f"{SKG}hostedBy")
THING = ox.NamedNode(f"{EX}Thing")


def things(n: int, prefix: str = "a") -> list[Triple]:
    triples: list[Triple] = []
    for i in range(n):
        node = ox.NamedNode(f"{EX}{prefix}/{i}")
        triples += [(node, RDF_TYPE, THING), (node, LABEL, ox.Literal(f"{prefix} {i}"))]
    return triples


def tricky() -> list[Triple]:
    """Literals a property graph easily loses: language tags, datatypes, repeats, odd text, foreign IRIs."""
    a, b = ox.NamedNode(f"{EX}r/a"), ox.NamedNode(f"{EX}r/b")
    note = ox.NamedNode(f"{EX}vocab/note")  # outside the prefix map: kept as a full IRI
    return [
        (a, RDF_TYPE, INSTRUMENT),
        (a, RDF_TYPE, THING),
        (a, LABEL, ox.Literal("X-ray microscope")),
        (a, LABEL, ox.Literal("X-ray microscope", language="en")),
        (a, LABEL, ox.Literal("Röntgenmikroskop", language="de")),
        (a, LABEL, ox.Literal("X射线显微镜", language="zh")),
        (a, LABEL, ox.Literal("X-ray microscope", language="en-GB")),
        (a, ox.NamedNode(f"{SKG}keyword"), ox.Literal("imaging")),
        (a, ox.NamedNode(f"{SKG}keyword"), ox.Literal("tomography")),
        (a, ox.NamedNode(f"{SKG}keyword"), ox.Literal("")),
        (a, note, ox.Literal('quotes " and \\ and\nnewline')),
        (a, note, ox.Literal("looks@en")),
        (a, note, ox.Literal("looks^^typed")),
        (a, note, ox.Literal("1", datatype=ox.NamedNode(f"{XSD}integer"))),
        (a, note, ox.Literal("true", datatype=ox.NamedNode(f"{XSD}boolean"))),
        (a, note, ox.Literal("2024-05-01T10:00:00Z", datatype=ox.NamedNode(f"{XSD}dateTime"))),
        (a, note, ox.Literal("12 kV", datatype=ox.NamedNode(f"{EX}unit/quantity"))),
        (a, HOSTED_BY, b),
        (a, ox.NamedNode(f"{SKG}contactPerson"), b),
        (a, ox.NamedNode(f"{EX}vocab/near"), b),
        (b, LABEL, ox.Literal("facility b")),
    ]


def data_quads(store: Store) -> set[tuple[Term3, ...]]:
    """Every statement of the current graphs as (graph, s, p, o), the catalogue left out."""
    return {
        (q.graph_name, q.subject, q.predicate, q.object)  # type: ignore[misc]
        for q in store.quads()
        if q.graph_name != CATALOGUE_GRAPH
    }


Term3 = ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph


def labels(store: Store) -> set[str]:
    return {o.value for _, _, p, o in data_quads(store) if p == LABEL}


@pytest.fixture(scope="module")
def reference() -> Iterator[Store]:
    """Two real sample sources ingested into the embedded store: the graph every backend must hold alike."""
    store = open_store(None)
    for name in ("xas-beamlines", "subjects-oecd-ford"):
        (source_plan,) = plan([SAMPLE / name])
        assert ingest_source(store, source_plan, None).status == "loaded"
    yield store
    store.close()


# ---- ingest and the catalogue ------------------------------------------------------------------


@pytest.mark.slow  # about 10 s over Bolt to ArcadeDB
def test_ingest_a_sample_source_through_the_pipeline(backend: Store, tmp_path: Path) -> None:
    (source_plan,) = plan([SAMPLE / "xas-beamlines"])
    report = ingest_source(backend, source_plan, tmp_path / "runs")
    assert report.status == "loaded" and report.loaded > 200
    entry = backend.sources()["xas-beamlines"]
    graph = ox.NamedNode(entry.graph)
    in_graph = [q for q in data_quads(backend) if q[0] == graph]
    assert len(in_graph) == report.triples + len({q for q in in_graph if _is_provenance(q)})
    assert ingest_source(backend, source_plan, None).status == "unchanged"


def _is_provenance(quad: tuple[Term3, ...]) -> bool:
    subject = quad[1]
    return isinstance(subject, ox.NamedNode) and ("/run/" in subject.value or "/graph/" in subject.value)


@pytest.mark.slow  # about 7 s over Bolt to ArcadeDB
def test_sample_graph_round_trips_exactly(backend: Store, reference: Store) -> None:
    copy_store(reference, backend)
    assert data_quads(backend) == data_quads(reference)
    assert backend.sources() == reference.sources()


def test_replace_source_publishes_and_counts_distinct_triples(backend: Store) -> None:
    assert backend.replace_source("s1", "r1", things(3) + things(3), "c1") == 6
    assert backend.sources()["s1"].checksum == "c1"
    assert labels(backend) == {"a 0", "a 1", "a 2"}


def test_replacing_a_source_leaves_other_sources_alone(backend: Store) -> None:
    backend.replace_source("s1", "r1", things(2, "a"), "c1")
    backend.replace_source("s2", "r1", things(2, "b"), "c2")
    backend.replace_source("s1", "r2", things(1, "c"), "c3")
    assert labels(backend) == {"b 0", "b 1", "c 0"}
    assert backend.collect_garbage() == 1
    assert labels(backend) == {"b 0", "b 1", "c 0"}


def test_staged_graph_is_invisible_until_published(backend: Store) -> None:
    backend.replace_source("s1", "r1", things(2, "a"), "c1")
    backend.stage("s1", "r2", things(2, "new"))
    assert labels(backend) == {"a 0", "a 1"}
    assert backend.describe(f"{EX}new/0") == []
    backend.publish("s1", "r2", "c2")
    assert labels(backend) == {"new 0", "new 1"}


def test_failure_while_staging_keeps_the_published_graph(backend: Store) -> None:
    backend.replace_source("s1", "r1", things(2, "a"), "c1")

    def broken() -> Iterator[Triple]:
        yield from things(300, "partial")  # several write batches (the Bolt stores write 100 triples a batch)
        raise RuntimeError("reader crashed")

    with pytest.raises(RuntimeError):
        backend.replace_source("s1", "r2", broken(), "c2")
    assert labels(backend) == {"a 0", "a 1"}
    assert backend.sources()["s1"].checksum == "c1"
    backend.collect_garbage()
    assert labels(backend) == {"a 0", "a 1"}


def test_remove_source(backend: Store) -> None:
    backend.replace_source("s1", "r1", things(1), "c1")
    assert backend.remove_source("s1")
    assert not backend.remove_source("s1")
    assert labels(backend) == set()
    assert backend.collect_garbage() == 1


# ---- reads the API needs -----------------------------------------------------------------------


def test_quads_round_trip_keeps_language_tags_datatypes_and_repeats(backend: Store) -> None:
    triples = tricky()
    backend.replace_source("s1", "r1", triples, "c1")
    graph = ox.NamedNode(backend.sources()["s1"].graph)
    assert data_quads(backend) == {(graph, s, p, o) for s, p, o in triples}


def test_values_of_one_resource_split_over_write_batches_are_all_kept(backend: Store) -> None:
    a = ox.NamedNode(f"{EX}r/a")
    filler = things(101, "f")  # pushes the second half of a's values into a later batch
    first = [(a, LABEL, ox.Literal(f"v{i}")) for i in range(3)]
    second = [(a, LABEL, ox.Literal(f"v{i}")) for i in range(2, 5)]
    backend.replace_source("s1", "r1", first + filler + second, "c1")
    assert {o.value for p, o in backend.describe(a.value)} == {f"v{i}" for i in range(5)}


def test_describe_reads_a_resource_over_all_current_graphs(backend: Store) -> None:
    backend.replace_source("s1", "r1", tricky(), "c1")
    shared = ox.NamedNode(f"{EX}r/a")
    backend.replace_source("s2", "r1", [(shared, LABEL, ox.Literal("from s2")), *tricky()[:3]], "c2")
    expected = {(p, o) for s, p, o in tricky() if s == shared} | {(LABEL, ox.Literal("from s2"))}
    described = backend.describe(shared.value)
    assert set(described) == expected
    assert len(described) == len(expected)  # statements two graphs share come once
    assert backend.describe(f"{EX}nothing") == []


def test_incoming_edges(backend: Store) -> None:
    backend.replace_source("s1", "r1", tricky(), "c1")
    a = ox.NamedNode(f"{EX}r/a")
    assert set(backend.incoming(f"{EX}r/b", 10)) == {
        (a, HOSTED_BY),
        (a, ox.NamedNode(f"{SKG}contactPerson")),
        (a, ox.NamedNode(f"{EX}vocab/near")),
    }
    assert len(backend.incoming(f"{EX}r/b", 2)) == 2
    assert backend.incoming(INSTRUMENT.value, 10) == [(a, RDF_TYPE)]


def test_count_by_type_is_per_source(backend: Store) -> None:
    backend.replace_source("s1", "r1", things(3, "a"), "c1")
    backend.replace_source("s2", "r1", things(1, "b") + tricky(), "c2")
    counts = {(c.source, c.type): c.count for c in backend.count_by_type()}
    assert counts == {("s1", THING.value): 3, ("s2", THING.value): 2, ("s2", INSTRUMENT.value): 1}


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_export_round_trips(backend: Store, fmt: str) -> None:
    backend.replace_source("s1", "r1", tricky(), "c1")
    out = io.BytesIO()
    backend.export(fmt, out)
    parsed = ox.Store()
    parsed.load(out.getvalue(), format=EXPORT_FORMATS[fmt])
    found = {q.object for q in parsed.quads_for_pattern(ox.NamedNode(f"{EX}r/a"), LABEL, None)}
    assert found == {o for s, p, o in tricky() if p == LABEL and s.value.endswith("/a")}


def test_unknown_export_format_is_refused(backend: Store) -> None:
    with pytest.raises(SharekgError, match="unknown export format"):
        backend.export("csv", io.BytesIO())
