"""Graph analytics on a small real graph: two sources of the bundled sample and real OpenAlex rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graph.analytics.network import (
    BOOKKEEPING_CLASSES,
    GraphStatistics,
    Neighbourhood,
    find_communities,
    graph_statistics,
    graph_version,
    neighbourhood,
    project,
)
from graph.errors import ConfigurationError
from graph.store import Store, open_store
from ingest.pipeline import ingest_source, plan
from ontology.terms import SKG_NS
from tests.conftest import FIXTURES, SAMPLE

CHEMISTRY = "https://w3id.org/sharekg/id/org/university-of-st-andrews/chemistry"
SOLEIL = "https://w3id.org/sharekg/id/facility/xas-beamlines/SOLEIL"
PREFIXES = {
    "skg": SKG_NS,
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
}


def ingest(store: Store) -> None:
    plans = [
        *plan([SAMPLE / "uniquip-st-andrews", SAMPLE / "xas-beamlines"]),
        *plan([FIXTURES / "openalex" / "authors.jsonl", FIXTURES / "openalex" / "works.jsonl"], "openalex", "openalex"),
    ]
    for p in plans:
        assert ingest_source(store, p, None).status == "loaded"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = open_store(tmp_path_factory.mktemp("analytics") / "store")
    ingest(s)
    yield s
    s.close()


@pytest.fixture(scope="module")
def graph(store: Store) -> nx.DiGraph:
    return project(store)


@pytest.fixture(scope="module")
def stats(store: Store) -> GraphStatistics:
    return graph_statistics(store)


def ask(store: Store, s: str, predicate: str, o: str) -> bool:
    prefix, name = predicate.split(":")
    result = store.query(f"ASK {{ <{s}> <{PREFIXES[prefix]}{name}> <{o}> }}")
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def test_counts_per_source_and_type_equal_the_stores_count_by_type(store: Store, stats: GraphStatistics) -> None:
    expected = {
        (c.source, c.type.removeprefix(SKG_NS)): c.count
        for c in store.count_by_type()
        if c.type.startswith(SKG_NS) and c.type.removeprefix(SKG_NS) not in BOOKKEEPING_CLASSES | {"Output"}
    }
    actual = {(source, t): n for source, types in stats.sources.items() for t, n in types.items() if t != "Output"}
    assert actual == expected
    # Output is the superclass of Paper and DataOutput: each node is counted once, under its most specific type.
    outputs = {c.source: c.count for c in store.count_by_type() if c.type == f"{SKG_NS}Output"}
    assert outputs == {"openalex": stats.sources["openalex"]["Paper"] + stats.sources["openalex"]["DataOutput"]}
    assert sum(stats.types.values()) == stats.nodes
    assert stats.types["Instrument"] == 623 + 180  # uniquip, xas-beamlines: no instrument is in both


def test_every_projected_edge_is_a_statement_of_the_store(store: Store, graph: nx.DiGraph) -> None:
    assert graph.number_of_edges() > 800
    for s, o, predicates in graph.edges(data="predicates"):
        assert predicates
        assert all(ask(store, s, p, o) for p in predicates), (s, predicates, o)
    assert set(nx.get_node_attributes(graph, "type").values()) >= {"Instrument", "Facility", "Organization", "Paper"}
    assert graph.nodes[CHEMISTRY]["label"] == "Chemistry"
    assert graph.nodes[CHEMISTRY]["sources"] == ["uniquip-st-andrews"]


def test_degree_histogram_sums_to_the_node_count(stats: GraphStatistics, graph: nx.DiGraph) -> None:
    degrees = stats.degrees
    assert sum(b.nodes for b in degrees.bins) == graph.number_of_nodes()
    assert sum(n for _, n in degrees.counts) == graph.number_of_nodes()
    assert [(b.low, b.high) for b in degrees.bins[:4]] == [(0, 0), (1, 1), (2, 3), (4, 7)]
    assert degrees.bins[-1].low <= degrees.max <= degrees.bins[-1].high
    assert degrees.max == max(d for _, d in graph.to_undirected().degree())


def test_pagerank_puts_hubs_first(store: Store, graph: nx.DiGraph) -> None:
    stats = graph_statistics(store, top=5)
    hubs = sorted((d for _, d in graph.to_undirected().degree()), reverse=True)
    assert [c.iri for c in stats.central[:2]] == [
        CHEMISTRY,
        "https://w3id.org/sharekg/id/org/university-of-st-andrews/physics-and-astronomy",
    ]
    assert all(c.degree >= hubs[9] for c in stats.central)  # the five by PageRank are among the ten best connected
    assert [c.pagerank for c in stats.central] == sorted((c.pagerank for c in stats.central), reverse=True)
    assert all(c.betweenness is None for c in stats.central)


def test_betweenness_is_estimated_only_when_asked(store: Store) -> None:
    central = graph_statistics(store, top=3, betweenness_samples=20).central
    assert all(c.betweenness is not None and 0 <= c.betweenness <= 1 for c in central)


def test_communities_partition_the_nodes(stats: GraphStatistics, graph: nx.DiGraph) -> None:
    for method in ("louvain", "label-propagation"):
        communities = find_communities(graph, method=method)
        assert sum(len(c) for c in communities) == graph.number_of_nodes()
        assert set().union(*communities) == set(graph)
        assert [len(c) for c in communities] == sorted((len(c) for c in communities), reverse=True)
    summary = stats.communities
    assert summary.count == len(find_communities(graph))
    assert summary.singletons == sum(1 for _, d in graph.to_undirected().degree() if d == 0)
    assert sum(size * n for size, n in summary.size_counts) == graph.number_of_nodes()
    chemistry = summary.top[0]
    assert (chemistry.central.iri, chemistry.label, chemistry.types["Instrument"]) == (CHEMISTRY, "Chemistry", 217)
    papers = next(c for c in summary.top if "Paper" in c.types)
    assert papers.topics and papers.label.startswith(papers.topics[0])  # labelled by its keywords


def test_unknown_community_method_is_refused(graph: nx.DiGraph) -> None:
    with pytest.raises(ConfigurationError, match="label-propagation"):
        find_communities(graph, method="girvan-newman")  # type: ignore[arg-type]


def test_components_summary_agrees_with_networkx(stats: GraphStatistics, graph: nx.DiGraph) -> None:
    components = stats.components
    undirected = graph.to_undirected()
    assert components.count == nx.number_connected_components(undirected)
    assert components.largest[0] == len(max(nx.connected_components(undirected), key=len))
    assert components.isolated == stats.degrees.bins[0].nodes


def test_statistics_are_json_ready_and_repeatable(store: Store, stats: GraphStatistics) -> None:
    first = asdict(stats)
    assert json.loads(json.dumps(first))["nodes"] == first["nodes"]
    assert asdict(graph_statistics(store)) == first
    assert first["version"] == graph_version(store)


def test_version_changes_when_a_source_is_removed(tmp_path: Path) -> None:
    s = open_store(None)
    (p,) = plan([SAMPLE / "subjects-oecd-ford"])
    ingest_source(s, p, tmp_path)
    before = graph_version(s)
    assert graph_version(s) == before
    s.remove_source("subjects-oecd-ford")
    assert graph_version(s) != before


def test_neighbourhood_edges_are_statements_of_the_store(store: Store) -> None:
    found = neighbourhood(store, SOLEIL)
    assert isinstance(found, Neighbourhood)
    assert found.center.iri == SOLEIL and found.center.type == "Facility" and found.center.label == "SOLEIL"
    assert found.nodes[0] == found.center and not found.truncated
    assert {n.type for n in found.nodes[1:]} == {"Instrument"}
    rows = store.query(f"SELECT ?i WHERE {{ ?i <{SKG_NS}atFacility> <{SOLEIL}> }}")
    assert isinstance(rows, ox.QuerySolutions)
    beamlines = {r["i"].value for r in rows}
    assert len(beamlines) == 5 and {n.iri for n in found.nodes[1:]} == beamlines
    assert len(found.edges) == len(beamlines)
    for edge in found.edges:
        assert edge.target == SOLEIL and edge.predicate == "skg:atFacility"
        assert ask(store, edge.source, edge.predicate, edge.target)


def test_neighbourhood_is_cut_at_the_limit(store: Store, graph: nx.DiGraph) -> None:
    found = neighbourhood(store, CHEMISTRY, limit=5)
    assert found is not None and found.truncated
    assert len(found.nodes) == 6
    assert {n.iri for n in found.nodes[1:]} <= set(nx.all_neighbors(graph, CHEMISTRY))
    assert all(CHEMISTRY in (e.source, e.target) for e in found.edges)
    assert all(graph.has_edge(e.source, e.target) for e in found.edges)


@pytest.mark.parametrize(
    "iri",
    ["https://w3id.org/sharekg/id/org/no-such-org", "not an iri", "https://w3id.org/sharekg/id/source/xas-beamlines"],
)
def test_neighbourhood_of_an_unknown_resource_is_none(store: Store, iri: str) -> None:
    assert neighbourhood(store, iri) is None


def test_neighbourhood_agrees_with_the_projection(store: Store, graph: nx.DiGraph) -> None:
    for iri in sorted(graph)[::10]:
        found = neighbourhood(store, iri, limit=1000)
        assert found is not None
        assert {n.iri for n in found.nodes[1:]} == set(nx.all_neighbors(graph, iri))
        assert all((n.label, n.type) == (graph.nodes[n.iri]["label"], graph.nodes[n.iri]["type"]) for n in found.nodes)
        assert all(e.predicate in graph.edges[e.source, e.target]["predicates"] for e in found.edges)


def test_negative_sizes_are_refused(store: Store) -> None:
    with pytest.raises(ConfigurationError, match="0 or more"):
        graph_statistics(store, top=-1)
    with pytest.raises(ConfigurationError, match="0 or more"):
        neighbourhood(store, CHEMISTRY, limit=-1)
