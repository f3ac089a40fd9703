"""Read-only SPARQL over the store with a time limit, a memory limit and a size cap, and the result formats of
SPARQL 1.1.

Before evaluation a query is refused when it is an update, or when it names a ``SERVICE`` that is not on the
operator's allow-list (``SHAREKG_SPARQL_SERVICE_ALLOW``, empty by default: federation is off, so a query cannot make
the server send requests to any address it can reach). Both are decided on the query's tokens (``api.sparql_lexer``).

Evaluation runs in worker processes (``api.sparql_pool``), each under a memory limit (``SHAREKG_SPARQL_MEMORY_MB``);
at the time limit the worker is killed, which ends the evaluation and frees its slot at once (pyoxigraph cannot
interrupt a query in the server process: a runaway sort took all the memory, and two runaway counts held both slots
until restart). At most ``MAX_RUNNING`` queries run at once; up to ``MAX_WAITING`` more wait for a slot (at most the
time limit), and beyond that, or after that wait, a query is refused with 503: a slow query can slow SPARQL, never
matching (waiting requests hold at most ``MAX_WAITING`` of the server's 40 worker threads). ``benchmarks/load.py``
showed why they wait: refusing at once failed two thirds of the requests of 8 clients running quick queries.

The worker writes the answer in the format the client asked for (SPARQL JSON, XML, CSV or TSV; Turtle,
N-Triples, JSON-LD or RDF/XML), as this module did before; what the process round trip costs an ordinary query is
in ``benchmarks/results/sparql-limits.md``.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from api.problems import Problem
from api.sparql_lexer import keywords, services
from api.sparql_pool import QueryTimeout, WorkerDied, WorkerPool
from graph.errors import ConfigurationError
from graph.store import SparqlStore

#: What a query meets when the store is Neo4j, which answers no SPARQL.
NO_SPARQL = (
    "SPARQL runs on the embedded store only; this store is Neo4j (SHAREKG_NEO4J_URI is set). Use Cypher in Neo4j, or "
    "copy the graph to an embedded store with graph.store.snapshot / `sharekg migrate`"
)
MAX_RUNNING = 2
MAX_WAITING = 30
ALLOWED_ENDPOINT = re.compile(r'https?://[^<>"{}|^`\\\x00-\x20]+')
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")


@dataclass(frozen=True, slots=True)
class Answer:
    body: bytes
    media_type: str
    truncated: bool
    rows: int


class SparqlRunner:
    """Runs queries for the endpoint, within the configured limits."""

    def __init__(
        self,
        store: SparqlStore | None,
        timeout_s: float,
        max_rows: int,
        *,
        memory_mb: int = 1024,
        service_allow: frozenset[str] = frozenset(),
    ) -> None:
        """``store`` None: the deployment's store answers no SPARQL, and every query is refused saying so.
        ``service_allow``: the endpoint IRIs a ``SERVICE`` may name (federation is off when empty)."""
        for iri in service_allow:
            if not ALLOWED_ENDPOINT.fullmatch(iri):
                raise ConfigurationError(
                    f"SHAREKG_SPARQL_SERVICE_ALLOW holds {iri!r}, which is not an absolute http(s) IRI; list "
                    "endpoints as full IRIs, e.g. https://query.wikidata.org/sparql"
                )
        self.store = store
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.memory_mb = memory_mb
        self.service_allow = service_allow
        self._pool = WorkerPool(store, memory_mb) if store is not None else None
        self._slots = threading.BoundedSemaphore(MAX_RUNNING)
        self._admitted = threading.BoundedSemaphore(MAX_RUNNING + MAX_WAITING)  # running or waiting for a slot

    def run(self, query: str, accept: str) -> Answer:
        if self._pool is None:
            raise ConfigurationError(NO_SPARQL)
        if _looks_like_update(query):
            raise Problem(
                403,
                "Read-only endpoint",
                "this endpoint answers queries only; SPARQL updates are refused "
                "(load data with `sharekg ingest` or POST /ingest)",
                kind="read-only",
            )
        self._check_services(query)
        if not self._admitted.acquire(blocking=False):
            raise _busy(f"{MAX_RUNNING} queries are running and {MAX_WAITING} waiting already")
        try:
            slot = self._slots.acquire(timeout=self.timeout_s)
        finally:
            self._admitted.release()
        if not slot:
            raise _busy(f"no query slot came free within {self.timeout_s:g} s")
        try:
            request = {"query": query, "accept": accept, "max_rows": self.max_rows}
            header, body = self._pool.ask(request, time.monotonic() + self.timeout_s)
        except QueryTimeout:
            raise Problem(
                503,
                "Query time limit",
                f"the query ran past the {self.timeout_s:g} s limit; narrow it (LIMIT, more "
                "specific patterns) or ask the administrator to raise SHAREKG_SPARQL_TIMEOUT_S",
                kind="query-timeout",
            ) from None
        except WorkerDied as e:
            raise _died(e, self.memory_mb) from None
        finally:
            self._slots.release()
        return _answer(header, body)

    def _check_services(self, query: str) -> None:
        for endpoint in services(query):
            if not (endpoint.startswith("<") and endpoint[1:-1] in self.service_allow):
                raise Problem(
                    403,
                    "Federated query refused",
                    _service_refusal(endpoint, self.service_allow),
                    kind="service-refused",
                )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()


def _busy(reason: str) -> Problem:
    problem = Problem(503, "SPARQL busy", f"{reason}; try again shortly", kind="sparql-busy")
    problem.headers["Retry-After"] = "5"
    return problem


def _service_refusal(endpoint: str, allowed: frozenset[str]) -> str:
    if not allowed:
        return (
            "the query names a SERVICE, and federation is off on this server (a query may not make it send "
            "requests elsewhere); query that endpoint yourself, or ask the administrator to allow it in "
            "SHAREKG_SPARQL_SERVICE_ALLOW"
        )
    listed = ", ".join(f"<{iri}>" for iri in sorted(allowed))
    if not endpoint.startswith("<"):
        named = f"SERVICE {endpoint}" if endpoint else "a SERVICE in a form that names no plain endpoint IRI"
        return f"{named} cannot be checked against the allowed endpoints; name one as a full IRI: {listed}"
    return f"SERVICE {endpoint} is not one of the endpoints this server allows: {listed}"


def _died(error: WorkerDied, memory_mb: int) -> Problem:
    if error.out_of_memory:
        return Problem(
            503,
            "Query memory limit",
            f"the query needed more than the {memory_mb} MB one query may "
            "use and was stopped; narrow it (more specific patterns; no ORDER BY over a cross join) or "
            "ask the administrator to raise SHAREKG_SPARQL_MEMORY_MB",
            kind="query-memory-limit",
        )
    return Problem(
        503,
        "Query failed",
        f"the query's evaluation ended unexpectedly ({error}); try again, and report it if it happens again",
        kind="query-crashed",
    )


def _answer(header: dict[str, object], body: bytes) -> Answer:
    """What a worker answered, or the problem it reported."""
    if header.get("error") == "syntax":
        raise Problem(400, "Invalid query", f"the query does not parse: {header['message']}", kind="invalid-query")
    if "error" in header:
        raise Problem(400, "Query failed", f"the query failed: {header['message']}", kind="query-failed")
    return Answer(body, str(header["media_type"]), bool(header["truncated"]), int(header["rows"]))  # type: ignore[call-overload]


def _looks_like_update(query: str) -> bool:
    """An update names one of the update operations as a keyword (the parser would reject it as a query anyway;
    this gives the clearer answer)."""
    words = keywords(query)
    return any(w in UPDATE_WORDS for w in words) and not any(
        w in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"} for w in words
    )


__all__ = ["Answer", "SparqlRunner"]
