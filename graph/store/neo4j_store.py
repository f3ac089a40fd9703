"""The Neo4j backend: the same ``graph.store.Store`` on a Neo4j server (5.26 LTS or later) over Bolt.

The mapping follows neosemantics (n10s) so Neo4j users recognise the graph, and reads back exactly the
RDF that went in:

- every IRI is a ``(:Resource {uri})`` node, one per named graph as n10s stores quads: the node also
  carries ``graph`` (the named graph IRI), and ``(uri, graph)`` is unique;
- ``rdf:type`` objects are labels; other IRI objects are relationships typed by the predicate;
- literals are properties holding arrays of lexical forms (n10s ``handleMultival: ARRAY``); the key is
  the predicate, plus ``@lang`` for a language-tagged literal or ``^^datatype`` for any datatype but
  ``xsd:string`` (``rdfs__label@en``, ``skg__startDate^^xsd__date``). Lexical forms are kept as text,
  so ``"01"^^xsd:integer`` comes back as ``"01"``, not ``1``;
- IRIs are shortened n10s-style (``skg__Instrument``) with the fixed prefix map ``PREFIXES`` (also
  written to n10s's ``_NsPrefDef`` node); an IRI outside it is kept whole (n10s ``KEEP`` mode).

A source's graph is written beside the current one (its nodes carry the new graph IRI) and published by
one transaction on its catalogue node ``(:sharekg_Source {name, graph, checksum})``; every read first
collects the catalogue's graphs in the same query. A reader so sees a source's old graph or its new one,
never half; an ingest killed midway leaves nodes no catalogue entry names, removed by ``collect_garbage``.

Blank nodes are not stored (sharekg mints IRIs for everything); a blank-node subject or object is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

import neo4j
import pyoxigraph as ox
from neo4j import exceptions as neo4j_errors

from graph.errors import ConfigurationError, StoreError
from graph.store import cypher_queries as q
from graph.store.protocol import (
    BASE,
    CATALOGUE_GRAPH,
    GRAPH_PREFIX,
    SourceEntry,
    Term,
    Triple,
    TypeCount,
    write_export,
)
from ontology.terms import SKG_NS

#: Prefixes shortened n10s-style (``prefix__local``); n10s's own defaults plus the vocabularies sharekg uses.
PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dct": "http://purl.org/dc/terms/",
    "sch": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "vivo": "http://vivoweb.org/ontology/core#",
    "obo": "http://purl.obolibrary.org/obo/",
    "bibo": "http://purl.org/ontology/bibo/",
    "skg": SKG_NS,
}
_BY_NAMESPACE = sorted(((ns, prefix) for prefix, ns in PREFIXES.items()), key=lambda pair: -len(pair[0]))
_RDF_TYPE = PREFIXES["rdf"] + "type"
_XSD_STRING = PREFIXES["xsd"] + "string"
_LANG_STRING = PREFIXES["rdf"] + "langString"
_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
#: Node properties that are not statements.
RESERVED_KEYS = frozenset({"uri", "graph"})
RESERVED_PREFIX = "sharekg_"
#: Triples per write batch (one UNWIND each for nodes, labels and relationships).
WRITE_BATCH = 5_000
DELETE_BATCH = 10_000
URI_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
#: Oldest Neo4j with dynamic labels and types (``$(expr)``) in SET and MERGE.
MIN_NEO4J = (5, 26)

_SKG_SOURCE = ox.NamedNode(f"{SKG_NS}Source")
_CATALOGUE_PREDICATES = {
    name: ox.NamedNode(f"{SKG_NS}{name}") for name in ("sourceName", "currentGraph", "inputChecksum")
}


# ---- the mapping: IRIs to names, literals to keyed values -------------------------------------------


def shorten(iri: str) -> str:
    """``https://w3id.org/sharekg/ns#Instrument`` → ``skg__Instrument``; an IRI outside ``PREFIXES`` stays whole.

    >>> shorten("http://www.w3.org/2000/01/rdf-schema#label"), shorten("https://example.org/p")
    ('rdfs__label', 'https://example.org/p')
    """
    for namespace, prefix in _BY_NAMESPACE:
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :]):
            return f"{prefix}__{iri[len(namespace) :]}"
    return iri


def expand(name: str) -> str:
    """The inverse of ``shorten``: full IRIs contain a colon, short names never do."""
    if ":" in name:
        return name
    prefix, _, local = name.partition("__")
    if prefix not in PREFIXES or not local:
        raise StoreError(f"node property or label {name!r} is not one sharekg writes; was the graph edited by hand?")
    return PREFIXES[prefix] + local


def literal_key(predicate: str, literal: ox.Literal) -> str:
    """The property key of a literal statement: predicate, then ``@lang`` or ``^^datatype`` (none for xsd:string).

    >>> literal_key("http://www.w3.org/2000/01/rdf-schema#label", ox.Literal("Mikroskop", language="de"))
    'rdfs__label@de'
    """
    if "@" in predicate or "^" in predicate:
        raise StoreError(f"predicate {predicate} contains '@' or '^', which the Neo4j mapping reserves; rename it")
    key = shorten(predicate)
    if literal.language:
        return f"{key}@{literal.language}"
    datatype = literal.datatype.value
    return key if datatype == _XSD_STRING else f"{key}^^{shorten(datatype)}"


def literal_from(key: str, value: str) -> tuple[ox.NamedNode, ox.Literal]:
    """The (predicate, literal) a property key and one of its values stand for."""
    if "^^" in key:
        predicate, datatype = key.rsplit("^^", 1)
        return ox.NamedNode(expand(predicate)), ox.Literal(value, datatype=ox.NamedNode(expand(datatype)))
    if "@" in key:
        predicate, language = key.rsplit("@", 1)
        return ox.NamedNode(expand(predicate)), ox.Literal(value, language=language)
    return ox.NamedNode(expand(key)), ox.Literal(value)


def statements(
    labels: Iterable[str], props: Mapping[str, Any], out: Iterable[list[str]]
) -> Iterator[tuple[ox.NamedNode, Term]]:
    """The (predicate, object) pairs one stored node holds."""
    rdf_type = ox.NamedNode(_RDF_TYPE)
    for label in labels:
        if label != "Resource" and not label.startswith(RESERVED_PREFIX):
            yield rdf_type, ox.NamedNode(expand(label))
    for key, values in props.items():
        if key in RESERVED_KEYS or key.startswith(RESERVED_PREFIX):
            continue
        for value in values if isinstance(values, list) else [values]:
            yield literal_from(key, str(value))
    for rel_type, target in out:
        yield ox.NamedNode(expand(rel_type)), ox.NamedNode(target)


# ---- the server: which one, and which statements it takes ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Server:
    """What the connected server is: product, version, and the statements that differ by product."""

    product: str  # "neo4j" or "arcadedb"
    version: tuple[int, ...]
    agent: str

    @property
    def merge_relationships(self) -> str:
        return q.MERGE_RELATIONSHIPS_ARCADEDB if self.product == "arcadedb" else q.MERGE_RELATIONSHIPS


def parse_version(text: str) -> tuple[int, ...]:
    """``"5.26.0"`` → ``(5, 26, 0)``; ``"2026.01.1"`` → ``(2026, 1, 1)``; suffixes such as ``-aura`` are dropped.

    >>> parse_version("2025.10.1-aura")
    (2025, 10, 1)
    """
    numbers = re.findall(r"\d+", text.split("-", 1)[0])
    if not numbers:
        raise StoreError(f"cannot read the server version {text!r}")
    return tuple(int(n) for n in numbers)


def identify_server(agent: str, versions: list[str]) -> Server:
    """Which server answered (from its Bolt agent and ``dbms.components()``); refuses a Neo4j older than 5.26."""
    version = parse_version(versions[0] if versions else agent.rsplit("/", 1)[-1])
    if "arcadedb" in agent.lower():
        return Server("arcadedb", version, agent)
    if version < MIN_NEO4J:
        raise ConfigurationError(
            f"the server at SHAREKG_NEO4J_URI is {agent} ({'.'.join(map(str, version))}); sharekg needs Neo4j 5.26 "
            "or later (dynamic labels and relationship types). Upgrade the server or unset SHAREKG_NEO4J_URI"
        )
    return Server("neo4j", version, agent)


# ---- the store --------------------------------------------------------------------------------------


class Neo4jStore:
    """``graph.store.Store`` on a Neo4j (or Bolt-compatible) server; one driver, reads routed to readers."""

    def __init__(self, driver: neo4j.Driver, database: str, uri: str, server: Server) -> None:
        self._driver = driver
        self.database = database
        self.uri = uri
        self.server = server
        #: Triples per write batch; smaller batches mean smaller transactions, larger ones fewer round trips.
        self.write_batch = WRITE_BATCH

    @classmethod
    def open(cls, uri: str, user: str, password: str, database: str) -> Neo4jStore:
        """Connect, check the server and credentials, and create the constraints and indexes (idempotent)."""
        scheme = urlsplit(uri).scheme
        if scheme not in URI_SCHEMES:
            raise ConfigurationError(
                f"SHAREKG_NEO4J_URI is {uri!r}; it must start with one of {', '.join(s + '://' for s in URI_SCHEMES)} "
                "(for example neo4j://localhost:7687)"
            )
        try:
            driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), max_transaction_retry_time=15.0)
        except (ValueError, neo4j_errors.ConfigurationError) as e:
            raise ConfigurationError(f"SHAREKG_NEO4J_URI {uri!r} is not a usable Bolt address: {e}") from e
        try:
            driver.verify_connectivity()
            info = driver.get_server_info()
            rows = driver.execute_query(q.SERVER_COMPONENTS, database_=database, routing_=neo4j.RoutingControl.READ)
            versions = [str(v) for r in rows.records if r["name"] == "Neo4j Kernel" for v in r["versions"]]
            store = cls(driver, database, uri, identify_server(info.agent, versions))
            store._setup()
        except neo4j_errors.AuthError as e:
            driver.close()
            raise ConfigurationError(
                f"the server at {uri} refused user {user!r}: {e.message}. Check SHAREKG_NEO4J_USER and "
                "SHAREKG_NEO4J_PASSWORD"
            ) from e
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as e:
            driver.close()
            raise StoreError(
                f"cannot reach a Neo4j server at {uri}: {e}. Start the server, or fix SHAREKG_NEO4J_URI "
                "(unset it to use the embedded store)"
            ) from e
        except neo4j_errors.Neo4jError as e:
            driver.close()
            if "DatabaseNotFound" in (e.code or ""):
                raise ConfigurationError(
                    f"the server at {uri} has no usable database {database!r}: {e.message}. Create it or fix "
                    "SHAREKG_NEO4J_DATABASE"
                ) from e
            raise StoreError(f"the server at {uri} failed while sharekg set up its schema: {e.message}") from e
        except BaseException:
            driver.close()
            raise
        return store

    def _setup(self) -> None:
        for statement in q.SCHEMA:
            self.execute(statement, write=True)
        self.execute(q.WRITE_PREFIXES, {"prefixes": {ns: prefix for prefix, ns in PREFIXES.items()}}, write=True)

    def execute(
        self, query: str, params: Mapping[str, Any] | None = None, *, write: bool = False
    ) -> list[neo4j.Record]:
        """Run one statement of ``graph.store.cypher_queries`` in a managed transaction (transient errors retried)."""
        routing = neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ
        try:
            result = self._driver.execute_query(
                cast(Any, query), dict(params or {}), routing_=routing, database_=self.database
            )
        except neo4j_errors.ServiceUnavailable as e:
            raise StoreError(f"lost the Neo4j server at {self.uri}: {e}; check that it runs and retry") from e
        except neo4j_errors.Neo4jError as e:
            raise StoreError(f"the Neo4j server at {self.uri} refused a statement: {e.code}: {e.message}") from e
        except neo4j_errors.DriverError as e:
            raise StoreError(f"talking to the Neo4j server at {self.uri} failed: {e}") from e
        return list(result.records)

    # ---- writes --------------------------------------------------------------------------------

    def stage(self, source: str, run_id: str, triples: Iterable[Triple]) -> int:
        graph = f"{GRAPH_PREFIX}{source}/{run_id}"
        written: set[str] = set()  # nodes given literal values by an earlier batch of this call
        existed = bool(self.execute(q.GRAPH_HAS_NODES, {"graph": graph}, write=True))
        stream = iter(triples)
        while batch := list(islice(stream, self.write_batch)):
            self._write_batch(graph, batch, written, existed)
        return int(self.execute(q.GRAPH_SIZE, {"graph": graph}, write=True)[0]["size"] or 0)

    def _write_batch(self, graph: str, batch: list[Triple], written: set[str], existed: bool) -> None:
        props: dict[str, dict[str, list[str]]] = {}
        labels: dict[str, dict[str, None]] = {}
        rels: dict[tuple[str, str, str], None] = {}
        for s, p, o in batch:
            if not isinstance(s, ox.NamedNode) or not isinstance(o, ox.NamedNode | ox.Literal):
                raise StoreError(f"the Neo4j store keeps IRIs and literals only; got {s} {p} {o}")
            node = props.setdefault(s.value, {})
            if isinstance(o, ox.Literal):
                values = node.setdefault(literal_key(p.value, o), [])
                if o.value not in values:
                    values.append(o.value)
            elif p.value == _RDF_TYPE:
                labels.setdefault(s.value, {})[shorten(o.value)] = None
            else:
                props.setdefault(o.value, {})
                rels[(s.value, shorten(p.value), o.value)] = None
        self._merge_existing(graph, props, written if not existed else set(props))
        written.update(uri for uri, node in props.items() if node)
        rows = [{"uri": uri, "props": node} for uri, node in props.items()]
        self.execute(q.MERGE_NODES, {"graph": graph, "rows": rows}, write=True)
        if labels:
            rows = [{"uri": uri, "labels": list(names)} for uri, names in labels.items()]
            self.execute(q.ADD_LABELS, {"graph": graph, "rows": rows}, write=True)
        if rels:
            rows = [{"s": s, "type": t, "o": o} for s, t, o in rels]
            self.execute(self.server.merge_relationships, {"graph": graph, "rows": rows}, write=True)

    def _merge_existing(self, graph: str, props: dict[str, dict[str, list[str]]], maybe_stored: set[str]) -> None:
        """Prepend values already stored for these nodes, so ``SET n += props`` appends rather than replaces."""
        uris = [uri for uri, node in props.items() if node and uri in maybe_stored]
        if not uris:
            return
        for record in self.execute(q.NODE_PROPERTIES, {"graph": graph, "uris": uris}, write=True):
            node = props[record["uri"]]
            for key, new in node.items():
                old = record["props"].get(key) or []
                node[key] = [*old, *(v for v in new if v not in old)]

    def publish(self, source: str, run_id: str, checksum: str) -> None:
        graph = f"{GRAPH_PREFIX}{source}/{run_id}"
        self.execute(q.PUBLISH, {"name": source, "graph": graph, "checksum": checksum}, write=True)

    def replace_source(self, source: str, run_id: str, triples: Iterable[Triple], checksum: str) -> int:
        size = self.stage(source, run_id, triples)
        self.publish(source, run_id, checksum)
        return size

    def remove_source(self, source: str) -> bool:
        return bool(self.execute(q.REMOVE_SOURCE, {"name": source}, write=True)[0]["removed"])

    def collect_garbage(self) -> int:
        keep = {e.graph for e in self.sources().values()}
        garbage = [r["graph"] for r in self.execute(q.GRAPHS, write=True) if r["graph"] not in keep]
        for graph in garbage:
            while self.execute(q.DELETE_GRAPH_BATCH, {"graph": graph, "batch": DELETE_BATCH}, write=True)[0]["deleted"]:
                pass
        return len(garbage)

    # ---- reads ---------------------------------------------------------------------------------

    def sources(self) -> dict[str, SourceEntry]:
        return {r["name"]: SourceEntry(r["name"], r["graph"], r["checksum"]) for r in self.execute(q.SOURCES)}

    def describe(self, iri: str) -> list[tuple[ox.NamedNode, Term]]:
        seen: dict[tuple[ox.NamedNode, Term], None] = {}
        for r in self.execute(q.DESCRIBE, {"iri": iri}):
            for pair in statements(r["labels"], r["props"], r["out"]):
                seen[pair] = None
        return list(seen)

    def incoming(self, iri: str, limit: int) -> list[tuple[ox.NamedNode, ox.NamedNode]]:
        rows = self.execute(q.INCOMING_RELATIONSHIPS, {"iri": iri, "limit": limit})
        seen = {(ox.NamedNode(r["subject"]), ox.NamedNode(expand(r["type"]))): None for r in rows}
        if len(seen) < limit:
            rdf_type = ox.NamedNode(_RDF_TYPE)
            for r in self.execute(q.INCOMING_TYPED, {"label": shorten(iri), "limit": limit - len(seen)}):
                seen[(ox.NamedNode(r["subject"]), rdf_type)] = None
        return list(seen)[:limit]

    def count_by_type(self) -> list[TypeCount]:
        counts = [TypeCount(r["source"], expand(r["label"]), int(r["count"])) for r in self.execute(q.COUNT_BY_TYPE)]
        return sorted(counts, key=lambda c: (c.source, -c.count, c.type))

    def quads(self) -> Iterator[ox.Quad]:
        """The catalogue (as the embedded store writes it), then each current graph, node by node."""
        entries = sorted(self.sources().values(), key=lambda e: e.source)
        for e in entries:
            node = ox.NamedNode(f"{BASE}source/{e.source}")
            yield ox.Quad(node, ox.NamedNode(_RDF_TYPE), _SKG_SOURCE, CATALOGUE_GRAPH)
            yield ox.Quad(node, _CATALOGUE_PREDICATES["sourceName"], ox.Literal(e.source), CATALOGUE_GRAPH)
            yield ox.Quad(node, _CATALOGUE_PREDICATES["currentGraph"], ox.NamedNode(e.graph), CATALOGUE_GRAPH)
            yield ox.Quad(node, _CATALOGUE_PREDICATES["inputChecksum"], ox.Literal(e.checksum), CATALOGUE_GRAPH)
        for e in entries:
            yield from self._graph_quads(e.graph)

    def _graph_quads(self, graph: str) -> Iterator[ox.Quad]:
        name = ox.NamedNode(graph)
        try:
            with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                for r in session.run(cast(Any, q.GRAPH_NODES), graph=graph):
                    subject = ox.NamedNode(r["uri"])
                    for p, o in statements(r["labels"], r["props"], r["out"]):
                        yield ox.Quad(subject, p, o, name)
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as e:
            raise StoreError(f"reading graph {graph} from the Neo4j server at {self.uri} failed: {e}") from e

    def export(self, fmt: str, output: BinaryIO) -> None:
        write_export(self.quads(), fmt, output)

    def close(self) -> None:
        self._driver.close()


__all__ = [
    "MIN_NEO4J",
    "PREFIXES",
    "Neo4jStore",
    "Server",
    "expand",
    "identify_server",
    "literal_from",
    "literal_key",
    "parse_version",
    "shorten",
    "statements",
]
