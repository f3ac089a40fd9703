"""Graph analytics: a networkx projection of the resource graph, its statistics, one resource's neighbourhood.

The projection's nodes are the typed resources and their context (instruments, facilities, datasets, experts,
organisations, subjects, grants, outputs, teams, …: every class of ``ontology/sharekg.ttl`` except ingest
bookkeeping), each with its most specific type, a label and the sources that state it. Its edges are the object
properties between two such nodes: every ``owl:ObjectProperty`` of the ontology that links resources (not ORCID,
ROR, contact pages or catalogue entries), plus ``dcterms:subject``, ``dcterms:creator``, ``org:subOrganizationOf``,
``org:memberOf``, ``foaf:member``, ``skos:broader`` and ``owl:sameAs``. It is read with three SPARQL SELECTs
(typed nodes per graph, labels, edges), never triple by triple, so it needs a store that answers SPARQL (the
embedded one); ``neighbourhood`` reads only ``Store.describe`` and ``Store.incoming`` and works on every backend.

``graph_statistics`` is deterministic for one graph and one set of arguments (fixed seed), and carries the
graph's ``version`` (a digest of the current catalogue), so a caller can cache it until an ingest changes it.

Louvain is the default: its communities are much better than label propagation's (higher modularity) at a few
times the cost and, the result depending only on ``version`` and the arguments, a server computes it once per graph;
betweenness is opt-in for its cost. The timings of each step: ``benchmarks/results/analytics.md``.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, reduce
from typing import Literal

import networkx as nx
import pyoxigraph as ox

from graph.errors import ConfigurationError
from graph.store import SparqlStore, Store
from graph.store import sparql_queries as q
from ontology.terms import DCT, FOAF_, ORG_, OWL_, RDF_, RDFS_, SKG_NS, SKOS_, ontology_text

#: The seed of every randomised step (community detection, betweenness sampling).
SEED = 42
#: Classes of the ontology that record ingest runs, not resources: never nodes.
BOOKKEEPING_CLASSES = frozenset({"Source", "IngestRun", "InputFile", "EntityLink", "SubjectScheme"})
#: Object properties of the ontology that point at identifiers, web pages or catalogue entries: never edges.
NON_RESOURCE_PROPERTIES = frozenset({"orcid", "ror", "contactPage", "currentGraph", "linkedNode"})
#: Standard properties that link two resources, by the short name edges carry.
STANDARD_EDGES = {
    "dcterms:subject": DCT.subject,
    "dcterms:creator": DCT.creator,
    "org:subOrganizationOf": ORG_.subOrganizationOf,
    "org:memberOf": ORG_.memberOf,
    "foaf:member": FOAF_.member,
    "skos:broader": SKOS_.broader,
    "owl:sameAs": OWL_.sameAs,
}
Method = Literal["louvain", "label-propagation"]


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    depth: dict[str, int]  # node type (local name) -> number of sharekg classes above it
    edges: dict[str, str]  # predicate IRI -> short name (``skg:hostedBy``)

    def type_values(self) -> str:
        return " ".join(f"<{SKG_NS}{name}>" for name in sorted(self.depth))

    def specific(self, a: str, b: str) -> str:
        """The more specific of two types of one node (``Paper`` over ``Output``); by name when unrelated."""
        return min(a, b, key=lambda t: (-self.depth[t], t))


@cache
def _vocabulary() -> _Vocabulary:
    """Node types and edge predicates, read from the ontology once (not at import)."""
    ontology = ox.Store()
    ontology.load(ontology_text("sharekg.ttl"), format=ox.RdfFormat.TURTLE)
    depth = {c.removeprefix(SKG_NS): int(d) for c, d in _rows(ontology.query(q.ONTOLOGY_CLASSES_QUERY))}
    properties = [p.removeprefix(SKG_NS) for (p,) in _rows(ontology.query(q.ONTOLOGY_PROPERTIES_QUERY))]
    edges = {SKG_NS + name: f"skg:{name}" for name in properties if name not in NON_RESOURCE_PROPERTIES}
    edges.update({term.value: short for short, term in STANDARD_EDGES.items()})
    return _Vocabulary({t: d for t, d in depth.items() if t not in BOOKKEEPING_CLASSES}, edges)


def _rows(result: ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean) -> Iterator[tuple[str, ...]]:
    """A SELECT's rows as tuples of term values ("" for an unbound variable)."""
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"expected SELECT solutions, got {type(result).__name__}")
    for row in result:
        yield tuple(term.value if term is not None else "" for term in row)


def _values(store: SparqlStore, query: str) -> Iterator[tuple[str, ...]]:
    return _rows(store.query(query))


def _tail(iri: str) -> str:
    """A readable stand-in label: the IRI's last segment."""
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# --------------------------------------------------------------------------------------------- projection


def project(store: SparqlStore) -> nx.DiGraph:
    """The resource graph as a networkx ``DiGraph``: IRIs as nodes with ``type`` (the most specific sharekg class,
    e.g. ``Paper`` rather than ``Output``), ``label`` and ``sources`` (source names); an edge for each object
    property between two nodes, with ``predicates`` (short names such as ``skg:hostedBy``). Untyped IRIs and
    bookkeeping are left out, so a node's every edge leads to another resource."""
    vocabulary = _vocabulary()
    graph_sources = {entry.graph: entry.source for entry in store.sources().values()}
    graph = nx.DiGraph()
    nodes = graph.nodes
    for graph_iri, node, type_iri in _values(store, q.NETWORK_NODES_QUERY.replace("$types", vocabulary.type_values())):
        type_, source = type_iri.removeprefix(SKG_NS), graph_sources.get(graph_iri, "")
        if node not in nodes:
            graph.add_node(node, type=type_, label="", sources=[source])
            continue
        attributes = nodes[node]
        attributes["type"] = vocabulary.specific(attributes["type"], type_)
        if source not in attributes["sources"]:
            attributes["sources"].append(source)
    for node, label in _values(store, q.NETWORK_LABELS_QUERY):
        if node in nodes and (not nodes[node]["label"] or label < nodes[node]["label"]):
            nodes[node]["label"] = label  # the least of several, as ``neighbourhood`` chooses
    for node, attributes in nodes.items():
        attributes["label"] = attributes["label"] or _tail(node)
    predicates = " ".join(f"<{iri}>" for iri in vocabulary.edges)
    for s, p, o in _values(store, q.NETWORK_EDGES_QUERY.replace("$predicates", predicates)):
        if s in nodes and o in nodes and s != o:
            names = graph.edges[s, o]["predicates"] if graph.has_edge(s, o) else []
            if vocabulary.edges[p] not in names:
                graph.add_edge(s, o, predicates=[*names, vocabulary.edges[p]])
    return graph


def find_communities(graph: nx.Graph, *, method: Method = "louvain", seed: int = SEED) -> list[set[str]]:
    """A partition of ``graph``'s nodes (directions ignored) into communities, largest first; an isolated node is a
    community of its own. Louvain maximises modularity; label propagation is faster and finds looser communities
    (``benchmarks/results/analytics.md``)."""
    # Integers in sorted IRI order, edges sorted: the result must not depend on query row order or on the
    # per-process hash of strings (networkx iterates sets of nodes).
    order = sorted(graph)
    index = {node: i for i, node in enumerate(order)}
    numbered = nx.Graph()
    numbered.add_nodes_from(range(len(order)))
    numbered.add_edges_from(sorted({tuple(sorted((index[u], index[v]))) for u, v in graph.edges()}))
    if method == "louvain":
        found = nx.community.louvain_communities(numbered, seed=seed)
    elif method == "label-propagation":
        found = nx.community.fast_label_propagation_communities(numbered, seed=seed)
    else:
        raise ConfigurationError(f"unknown community method {method!r}; use 'louvain' or 'label-propagation'")
    communities = ({order[i] for i in c} for c in found)
    return sorted(communities, key=lambda c: (-len(c), min(c)))


def graph_version(store: Store) -> str:
    """A digest of the current catalogue: it changes exactly when an ingest publishes or removes a source."""
    entries = sorted((e.source, e.graph, e.checksum) for e in store.sources().values())
    return hashlib.sha256(repr(entries).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------- statistics


@dataclass(frozen=True, slots=True)
class NodeRef:
    iri: str
    label: str
    type: str


@dataclass(frozen=True, slots=True)
class DegreeBin:
    """Nodes whose degree lies in ``low..high`` (inclusive); bins double in width: 0, 1, 2-3, 4-7, …"""

    low: int
    high: int
    nodes: int


@dataclass(frozen=True, slots=True)
class DegreeSummary:
    mean: float
    median: float
    max: int
    bins: list[DegreeBin]
    counts: list[tuple[int, int]]  # (degree, nodes) for every degree that occurs, ascending


@dataclass(frozen=True, slots=True)
class CentralNode:
    iri: str
    label: str
    type: str
    degree: int
    pagerank: float
    betweenness: float | None  # None unless betweenness_samples > 0


@dataclass(frozen=True, slots=True)
class Community:
    rank: int  # 1 is the largest
    size: int
    label: str  # its three most common topics, or its most central member's label when members have no topics
    types: dict[str, int]  # members per type, most common first
    topics: list[str]  # most common keywords and subject labels of the members
    central: NodeRef  # the member with the highest PageRank


@dataclass(frozen=True, slots=True)
class CommunitySummary:
    method: str
    seed: int
    count: int  # every community, singletons included
    singletons: int
    modularity: float
    size_counts: list[tuple[int, int]]  # (size, communities of that size), ascending
    top: list[Community]


@dataclass(frozen=True, slots=True)
class ComponentSummary:
    count: int
    isolated: int  # nodes without an edge
    largest: list[int]  # sizes of the largest components, largest first
    largest_share: float  # share of all nodes in the largest component


@dataclass(frozen=True, slots=True)
class GraphStatistics:
    """What ``graph_statistics`` returns; ``dataclasses.asdict`` turns it into JSON-ready data."""

    version: str
    nodes: int
    edges: int  # node pairs linked by one or more properties
    types: dict[str, int]  # nodes per (most specific) type, most common first; sums to ``nodes``
    sources: dict[str, dict[str, int]]  # source -> nodes per type it states (a node two sources state counts twice)
    edge_predicates: dict[str, int]  # edges per property, most common first
    degrees: DegreeSummary
    central: list[CentralNode]  # by PageRank, highest first
    communities: CommunitySummary
    components: ComponentSummary


def graph_statistics(
    store: SparqlStore,
    *,
    top: int = 10,
    top_communities: int = 10,
    method: Method = "louvain",
    betweenness_samples: int = 0,
    seed: int = SEED,
) -> GraphStatistics:
    """Counts, degree distribution, the ``top`` most central resources, the ``top_communities`` largest communities
    and the connected components of ``project(store)`` (directions ignored). Betweenness is estimated from
    ``betweenness_samples`` source nodes when above 0: opt-in, it costs about half the rest again for 50
    (``benchmarks/results/analytics.md``)."""
    if min(top, top_communities, betweenness_samples) < 0:
        raise ConfigurationError("top, top_communities and betweenness_samples must be 0 or more")
    version = graph_version(store)  # before reading: a graph published meanwhile gets a new version, not this one
    directed = project(store)
    graph = nx.Graph()  # a plain copy: networkx runs about twice as fast on it as on an undirected view
    graph.add_nodes_from(directed.nodes(data=True))
    graph.add_edges_from(directed.edges())
    degree: dict[str, int] = dict(graph.degree())
    pagerank: dict[str, float] = nx.pagerank(graph) if len(graph) else {}
    partition = find_communities(graph, method=method, seed=seed)
    return GraphStatistics(
        version=version,
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        types=_most_common(Counter(t for _, t in graph.nodes(data="type"))),
        sources=_per_source(graph),
        edge_predicates=_most_common(Counter(p for _, _, ps in directed.edges(data="predicates") for p in ps)),
        degrees=_degree_summary(list(degree.values())),
        central=_central(graph, degree, pagerank, top, betweenness_samples, seed),
        communities=_community_summary(store, graph, partition, pagerank, top_communities, method, seed),
        components=_component_summary(graph),
    )


def _most_common(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _per_source(graph: nx.Graph) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for _, attributes in graph.nodes(data=True):
        for source in attributes["sources"]:
            counts.setdefault(source, Counter())[attributes["type"]] += 1
    return {source: _most_common(counts[source]) for source in sorted(counts)}


def _degree_summary(degrees: list[int]) -> DegreeSummary:
    if not degrees:
        return DegreeSummary(0.0, 0.0, 0, [], [])
    by_bin = Counter(d.bit_length() for d in degrees)  # 0 -> 0, 1 -> 1, 2-3 -> 2, 4-7 -> 3, …
    bins = [DegreeBin(2**k // 2, 2**k - 1, by_bin[k]) for k in range(max(by_bin) + 1)]
    return DegreeSummary(
        mean=statistics.fmean(degrees),
        median=float(statistics.median(degrees)),
        max=max(degrees),
        bins=bins,
        counts=sorted(Counter(degrees).items()),
    )


def _central(
    graph: nx.Graph, degree: dict[str, int], pagerank: dict[str, float], top: int, samples: int, seed: int
) -> list[CentralNode]:
    ranked = sorted(pagerank, key=lambda n: (-pagerank[n], n))[:top]
    betweenness: dict[str, float] = {}
    if samples > 0 and len(graph):
        betweenness = nx.betweenness_centrality(graph, k=min(samples, len(graph)), seed=seed)
    nodes = graph.nodes
    return [
        CentralNode(
            n, nodes[n]["label"], nodes[n]["type"], degree[n], pagerank[n], betweenness.get(n) if samples else None
        )
        for n in ranked
    ]


def _community_summary(
    store: SparqlStore,
    graph: nx.Graph,
    partition: list[set[str]],
    pagerank: dict[str, float],
    top: int,
    method: str,
    seed: int,
) -> CommunitySummary:
    chosen = [c for c in partition[:top] if len(c) > 1]
    topics = _Topics.read(store, graph) if chosen else _Topics({}, Counter())
    return CommunitySummary(
        method=method,
        seed=seed,
        count=len(partition),
        singletons=sum(len(c) == 1 for c in partition),
        modularity=nx.community.modularity(graph, partition) if graph.number_of_edges() else 0.0,
        size_counts=sorted(Counter(len(c) for c in partition).items()),
        top=[_community(rank, members, graph, pagerank, topics) for rank, members in enumerate(chosen, start=1)],
    )


def _community(rank: int, members: set[str], graph: nx.Graph, pagerank: dict[str, float], topics: _Topics) -> Community:
    nodes = graph.nodes
    central = max(members, key=lambda n: (pagerank[n], n))
    distinctive = topics.distinctive(members)
    return Community(
        rank=rank,
        size=len(members),
        label=", ".join(distinctive[:3]) or nodes[central]["label"],
        types=_most_common(Counter(nodes[m]["type"] for m in members)),
        topics=distinctive,
        central=NodeRef(central, nodes[central]["label"], nodes[central]["type"]),
    )


@dataclass(frozen=True, slots=True)
class _Topics:
    """Keywords and subject labels per node, and on how many nodes each occurs."""

    of: dict[str, set[str]]
    frequency: Counter[str]

    @classmethod
    def read(cls, store: SparqlStore, graph: nx.Graph) -> _Topics:
        of: dict[str, set[str]] = {}
        for node, topic in _values(store, q.NETWORK_TOPICS_QUERY):
            if node in graph:
                of.setdefault(node, set()).add(topic.strip())
        return cls(of, Counter(t for topics in of.values() for t in topics))

    def distinctive(self, members: set[str], n: int = 5) -> list[str]:
        """The ``n`` topics most typical of ``members``: frequent among them, rare elsewhere (count times idf)."""
        counts = Counter(t for m in members for t in self.of.get(m, ()))
        least = min(2, max(counts.values(), default=0))
        score = {t: c * math.log(len(self.of) / self.frequency[t]) for t, c in counts.items() if c >= least}
        return sorted(score, key=lambda t: (-score[t], t))[:n]


def _component_summary(graph: nx.Graph) -> ComponentSummary:
    sizes = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    return ComponentSummary(
        count=len(sizes),
        isolated=sum(1 for _, d in graph.degree() if d == 0),
        largest=sizes[:10],
        largest_share=sizes[0] / len(graph) if sizes else 0.0,
    )


# --------------------------------------------------------------------------------------------- neighbourhood


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # IRI of the subject
    target: str  # IRI of the object
    predicate: str  # short name, e.g. ``skg:hostedBy``


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """One resource and the resources it links to or is linked from, for drawing a small graph."""

    center: NodeRef
    nodes: list[NodeRef]  # the centre first, then its neighbours
    edges: list[Edge]
    truncated: bool  # True when the resource has more neighbours than the limit


def neighbourhood(store: Store, iri: str, *, limit: int = 50) -> Neighbourhood | None:
    """The resource ``iri`` with up to ``limit`` neighbours (outgoing links first) and the edges between it and
    them, as in ``project``; None when ``iri`` is not a typed resource of the current graph (or not an IRI)."""
    if limit < 0:
        raise ConfigurationError(f"limit must be 0 or more, not {limit}")
    try:
        center = ox.NamedNode(iri)
    except ValueError:
        return None
    vocabulary = _vocabulary()
    outgoing = [
        (iri, o.value, vocabulary.edges[p.value])
        for p, o in store.describe(iri)
        if p.value in vocabulary.edges and isinstance(o, ox.NamedNode) and o.value != iri
    ]
    incoming_pairs = store.incoming(iri, limit + 1)
    incoming = [(s.value, iri, vocabulary.edges[p.value]) for s, p in incoming_pairs if p.value in vocabulary.edges]
    candidates = dict.fromkeys(edge for edge in [*outgoing, *incoming] if edge[0] != edge[1])
    known = _typed_nodes(store, {center.value, *(n for edge in candidates for n in edge[:2])}, vocabulary)
    if center.value not in known:
        return None
    neighbours: dict[str, None] = {}
    edges, truncated = [], len(incoming_pairs) > limit
    for s, o, p in candidates:
        other = o if s == iri else s
        if other not in known:
            continue
        if other not in neighbours:
            if len(neighbours) == limit:
                truncated = True
                continue
            neighbours[other] = None
        edges.append(Edge(s, o, p))
    return Neighbourhood(known[iri], [known[iri], *(known[n] for n in neighbours)], edges, truncated)


def _typed_nodes(store: Store, iris: Iterable[str], vocabulary: _Vocabulary) -> dict[str, NodeRef]:
    """The nodes among ``iris`` that ``project`` would keep, with their most specific type and a label. Read with
    ``Store.describe`` (one call per node, at most ``limit`` + 1), so it works on every backend, SPARQL or not."""
    found = {}
    for iri in iris:
        statements = store.describe(iri)
        types = [o.value.removeprefix(SKG_NS) for p, o in statements if p == RDF_.type and isinstance(o, ox.NamedNode)]
        types = [t for t in types if t in vocabulary.depth]
        if types:
            labels = [o.value for p, o in statements if p == RDFS_.label and isinstance(o, ox.Literal)]
            found[iri] = NodeRef(iri, min(labels, default=_tail(iri)), reduce(vocabulary.specific, types))
    return found
