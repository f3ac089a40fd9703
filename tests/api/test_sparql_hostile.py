"""Hostile queries at /sparql (issue 14): SERVICE to the host's addresses, a query that takes all the memory,
runaway queries that held both slots. Each attack is reproduced, bounded, against loopback only."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from api.problems import Problem
from api.sparql import SparqlRunner
from api.sparql_lexer import services
from graph.errors import ConfigurationError
from graph.store import CATALOGUE_GRAPH, OxigraphStore, open_store
from tests.api.conftest import Service
from tests.api.test_service import assert_problem

ORDER_BY_ATTACK = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
CROSS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ORDINARY = "SELECT ?s WHERE { ?s <urn:p> ?o } ORDER BY ?s LIMIT 3"
JSON = "application/sparql-results+json"


class Listener:
    """A SPARQL endpoint on 127.0.0.1 that counts what reaches it and answers one row."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                listener.requests.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = json.dumps(
                    {
                        "head": {"vars": ["x"]},
                        "results": {"bindings": [{"x": {"type": "literal", "value": "from the listener"}}]},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as running:
        yield running


def attacks(url: str) -> list[str]:
    """SERVICE in every form the probe and this test found Oxigraph to evaluate."""
    host, path = url.rsplit("/", 1)
    return [
        f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?s ?p ?x }} }}",
        f"SELECT ?x WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?x }} }}",
        f"select ?x where {{ sErViCe <{url}> {{ ?s ?p ?x }} }}",
        f"SELECT ?x WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?x }} }}",
        f"PREFIX e: <{host}/> SELECT ?x WHERE {{ SERVICEe:{path} {{ ?s ?p ?x }} }}",
        f"PREFIX : <{host}/> SELECT ?x WHERE {{ SERVICE:{path} {{ ?s ?p ?x }} }}",
        f"SELECT ?x WHERE {{ SERVICESILENT <{url}> {{ ?s ?p ?x }} }}",
        f"SELECT ?x WHERE {{ SERVICE# a comment\r<{url}> {{ ?s ?p ?x }} }}",
        f"BASE <{host}/> SELECT ?x WHERE {{ SERVICE <{path}> {{ ?s ?p ?x }} }}",
        f"ASK {{ SERVICE <{url}> {{ ?s ?p ?x }} }}",
        f"CONSTRUCT {{ ?s ?p ?x }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?x }} }}",
        f"SELECT ?x WHERE {{ {{ SELECT ?x WHERE {{ SERVICE <{url}> {{ ?s ?p ?x }} }} }} }}",
        f"SELECT ?x WHERE {{ ?s ?p ?o .SERVICE <{url}> {{ ?s ?p ?x }} }}",
        # "<" after an operand is less-than to Oxigraph; read as an IRI up to "#>" it would hide the SERVICE
        f"PREFIX : <{host}/> SELECT ?x WHERE {{ BIND(1 AS ?o) FILTER(?o<2)SERVICE:{path}#>\n{{ ?s ?p ?x }} }}",
        f'PREFIX : <{host}/> SELECT ?x WHERE {{ BIND(1 AS ?o) FILTER(?o<2)#>"""\nSERVICE :{path} {{ ?s ?p ?x }}\n'
        '#"""\n}',
    ]


def one_triple_store() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o")))
    return store


def test_every_form_oxigraph_sends_is_found(listener: Listener) -> None:
    """The detector against the engine: each attack, run by Oxigraph itself, reaches the listener, and the detector
    names a SERVICE in it; so the forms the endpoint refuses are exactly ones that would be sent."""
    store = one_triple_store()
    for query in attacks(listener.url):
        if "SERVICE ?e" in query:  # Oxigraph fails it (500 before): the name must be bound before the SERVICE
            assert services(query) == ["?e"]
            continue
        before = len(listener.requests)
        try:
            result = store.query(query)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        except (OSError, RuntimeError, SyntaxError) as e:
            pytest.fail(f"Oxigraph did not evaluate {query!r}: {e}")
        assert len(listener.requests) > before, f"Oxigraph sent nothing for {query!r}"
        assert services(query), f"the detector missed the SERVICE in {query!r}"


def test_service_is_refused_before_anything_is_sent(service: Service, listener: Listener) -> None:
    c = service.client
    for query in attacks(listener.url):
        assert_problem(c.get("/sparql", params={"query": query}), 403, "federation is off")
    assert_problem(c.post("/sparql", data={"query": attacks(listener.url)[0]}), 403, "SHAREKG_SPARQL_SERVICE_ALLOW")
    assert listener.requests == []


def test_the_word_service_in_literals_iris_names_and_comments_is_a_query(service: Service, listener: Listener) -> None:
    queries = [
        f'SELECT ?s WHERE {{ ?s ?p "SERVICE <{listener.url}> {{ ?s ?p ?o }}" }} LIMIT 1',
        f"SELECT ?s WHERE {{ ?s ?p '''\nSERVICE <{listener.url}> {{}}''' }} LIMIT 1",
        "SELECT ?service WHERE { ?service <urn:service> ?o } LIMIT 1",
        f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 1 # SERVICE <{listener.url}> {{}}",
        "PREFIX schema: <https://schema.org/> SELECT ?s WHERE { ?s schema:serviceType ?o } LIMIT 1",
        'SELECT ?s WHERE { ?s ?p ?o FILTER(?o < 3 || ?o = "service"@en) } LIMIT 1',
    ]
    for query in queries:
        assert service.client.get("/sparql", params={"query": query}).status_code == 200, query
    assert listener.requests == []


def small_store(path: Path, subjects: int) -> OxigraphStore:
    """A store of ``subjects`` triples: enough for a cross join to be costly, never for an ordinary query."""
    store = open_store(path)
    triples = [(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(f"value {i}")) for i in range(subjects)]
    store.replace_source("s", "r1", triples, "checksum-1")  # type: ignore[arg-type]
    return store


def test_an_allowed_endpoint_is_queried_and_only_it(tmp_path: Path, listener: Listener) -> None:
    store = small_store(tmp_path / "store", 3)
    runner = SparqlRunner(store, 10.0, 100, service_allow=frozenset({listener.url}))
    try:
        body = json.loads(runner.run(f"SELECT ?x WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?x }} }}", JSON).body)
        assert body["results"]["bindings"] == [{"x": {"type": "literal", "value": "from the listener"}}]
        other = listener.url.replace("/sparql", "/other")
        for query in (f"SELECT * {{ SERVICE <{other}> {{ ?s ?p ?x }} }}", attacks(listener.url)[3]):
            with pytest.raises(Problem) as refused:
                runner.run(query, JSON)
            assert refused.value.status == 403 and listener.url in refused.value.detail
    finally:
        runner.close()
        store.close()
    assert len(listener.requests) == 1
    with pytest.raises(ConfigurationError, match="absolute http"):
        SparqlRunner(None, 1.0, 1, service_allow=frozenset({"file:///etc/passwd"}))


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_query_past_the_memory_limit_is_stopped_and_the_server_keeps_its_memory(tmp_path: Path) -> None:
    store = small_store(tmp_path / "store", 3000)  # the cross join sorts 9M rows: gigabytes, unbounded
    runner = SparqlRunner(store, 20.0, 100, memory_mb=256)
    try:
        assert runner.run(ORDINARY, JSON).rows == 3  # the worker is up: what follows is the attack's alone
        before = resident_mb()
        with pytest.raises(Problem) as stopped:
            runner.run(ORDER_BY_ATTACK, JSON)
        assert stopped.value.status == 503 and "SHAREKG_SPARQL_MEMORY_MB" in stopped.value.detail
        assert resident_mb() - before < 100
        assert runner.run(ORDINARY, JSON).rows == 3  # a fresh worker answers
    finally:
        runner.close()
        store.close()


def test_runaway_queries_free_their_slots_at_the_limit(tmp_path: Path) -> None:
    store = small_store(tmp_path / "store", 300)  # a four-way cross join of 300 triples: 8.1e9 rows, hours
    runner = SparqlRunner(store, 10.0, 100)
    try:
        runner.run(ORDINARY, JSON)
        runner.timeout_s = 0.5
        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(lambda _: _problem(runner, CROSS_COUNT), range(2)))
        assert [p.kind for p in outcomes] == ["query-timeout", "query-timeout"]
        runner.timeout_s = 10.0
        answers = [runner.run(ORDINARY, JSON) for _ in range(3)]  # both slots are free again, no 503 sparql-busy
        assert [a.rows for a in answers] == [3, 3, 3]
    finally:
        runner.close()
        store.close()


def _problem(runner: SparqlRunner, query: str) -> Problem:
    try:
        runner.run(query, JSON)
    except Problem as e:
        return e
    raise AssertionError(f"{query!r} was answered")


def test_queries_see_a_source_published_after_the_last_query(tmp_path: Path) -> None:
    store = small_store(tmp_path / "store", 3)
    runner = SparqlRunner(store, 10.0, 100)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    try:
        assert json.loads(runner.run(count, JSON).body)["results"]["bindings"][0]["n"]["value"] == "3"
        store.replace_source("t", "r1", [(ox.NamedNode("urn:t"), ox.NamedNode("urn:p"), ox.Literal("x"))], "c")  # type: ignore[list-item]
        assert json.loads(runner.run(count, JSON).body)["results"]["bindings"][0]["n"]["value"] == "4"
        graphs = runner.run("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "text/csv").body.decode()
        current = [e.graph for e in store.sources().values()]
        assert sorted(graphs.split()[1:]) == sorted([*current, CATALOGUE_GRAPH.value])  # as OxigraphStore.query
    finally:
        runner.close()
        store.close()
    assert list((tmp_path / "store-sparql").iterdir()) == []  # snapshots are removed with their last reader


def test_a_query_naming_no_graph_reads_what_the_store_reads(tmp_path: Path) -> None:
    """Such a query reads the snapshot's pruned copy (``backup_union``): the same rows as ``OxigraphStore.query``,
    with a superseded graph, a staged one and the catalogue beside the current graph in the store."""
    store = small_store(tmp_path / "store", 3)
    p = ox.NamedNode("urn:p")
    store.replace_source("s", "r2", [(ox.NamedNode("urn:s0"), p, ox.Literal("value 0"))], "checksum-2")  # type: ignore[list-item]
    store.stage("s", "r3", [(ox.NamedNode("urn:staged"), p, ox.Literal("half-written"))])  # type: ignore[list-item]
    store.replace_source("t", "r1", [(ox.NamedNode("urn:s0"), p, ox.Literal("value 0"))], "checksum-3")  # type: ignore[list-item]
    runner = SparqlRunner(store, 10.0, 100)
    queries = [
        "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o",  # the same triple in two current graphs: once
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT ?o WHERE { ?s <urn:p> ?o } ORDER BY ?o",
    ]
    try:
        for query in queries:
            rows = store.query(query)
            assert isinstance(rows, ox.QuerySolutions)
            expected = [[str(term) for term in row] for row in rows]
            answer = runner.run(query, "text/tab-separated-values").body.decode().splitlines()[1:]
            assert [line.split("\t") for line in answer] == expected, query
        assert runner.run("ASK { <urn:staged> ?p ?o }", JSON).body.endswith(b"false}")
        assert runner.run("ASK { GRAPH ?g { <urn:staged> ?p ?o } }", JSON).body.endswith(b"false}")
        catalogue = f"ASK {{ GRAPH <{CATALOGUE_GRAPH.value}> {{ ?s ?p ?o }} }}"
        assert runner.run(catalogue, JSON).body.endswith(b"true}")  # named, the catalogue is there
    finally:
        runner.close()
        store.close()


def test_an_in_memory_store_is_queried_through_an_on_disk_copy() -> None:
    store = open_store(None)
    store.replace_source("s", "r1", [(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"))], "c")  # type: ignore[list-item]
    runner = SparqlRunner(store, 10.0, 100)
    try:
        assert runner.run("ASK { <urn:s> <urn:p> 'o' }", JSON).body == b'{"head": {}, "boolean": true}'
    finally:
        runner.close()
