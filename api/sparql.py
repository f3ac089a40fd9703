"""Read-only SPARQL over the store with a time limit and a size cap, and the result formats of SPARQL 1.1.

pyoxigraph cannot cancel a query it is evaluating. The query runs on a worker thread and is read lazily; the caller
gets a timeout problem at the deadline and the thread stops at the next row it reads. A query that spends long in
one step (a big ORDER BY or COUNT) keeps its thread until that step ends, so at most ``MAX_RUNNING`` queries run at
once; up to ``MAX_WAITING`` more wait for a slot (at most the time limit), and beyond that, or after that wait, a
query is refused with 503: a slow query can slow SPARQL, never matching (waiting requests hold at most
``MAX_WAITING`` of the server's 40 worker threads). ``benchmarks/load.py`` showed why they wait: refusing at once
failed two thirds of the requests of 8 clients running quick queries; 32 clients fit in the running and waiting.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from api.problems import Problem
from graph.errors import ConfigurationError
from graph.store import SparqlStore
from ontology.terms import PREFIXES

#: What a query meets when the store is Neo4j, which answers no SPARQL.
NO_SPARQL = (
    "SPARQL runs on the embedded store only; this store is Neo4j (SHAREKG_NEO4J_URI is set). Use Cypher in Neo4j, or "
    "copy the graph to an embedded store with graph.store.snapshot / `sharekg migrate`"
)
MAX_RUNNING = 2
MAX_WAITING = 30
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
MEDIA_OF = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
            "csv": "text/csv", "tsv": "text/tab-separated-values"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Answer:
    body: bytes
    media_type: str
    truncated: bool
    rows: int


class SparqlRunner:
    """Runs queries for the endpoint, within the configured limits."""

    def __init__(self, store: SparqlStore | None, timeout_s: float, max_rows: int) -> None:
        """``store`` None: the deployment's store answers no SPARQL, and every query is refused saying so."""
        self.store = store
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self._pool = ThreadPoolExecutor(max_workers=MAX_RUNNING, thread_name_prefix="sparql")
        self._slots = threading.BoundedSemaphore(MAX_RUNNING)
        self._admitted = threading.BoundedSemaphore(MAX_RUNNING + MAX_WAITING)  # running or waiting for a slot

    def run(self, query: str, accept: str) -> Answer:
        if self.store is None:
            raise ConfigurationError(NO_SPARQL)
        if _looks_like_update(query):
            raise Problem(403, "Read-only endpoint", "this endpoint answers queries only; SPARQL updates are refused "
                          "(load data with `sharekg ingest` or POST /ingest)", kind="read-only")  # fmt: skip
        if not self._admitted.acquire(blocking=False):
            raise _busy(f"{MAX_RUNNING} queries are running and {MAX_WAITING} waiting already")
        try:
            slot = self._slots.acquire(timeout=self.timeout_s)
        finally:
            self._admitted.release()
        if not slot:
            raise _busy(f"no query slot came free within {self.timeout_s:g} s")
        deadline = time.monotonic() + self.timeout_s
        future: Future[Answer] = self._pool.submit(self._evaluate, query, accept, deadline)
        future.add_done_callback(lambda _: self._slots.release())
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            raise Problem(
                503, "Query time limit", f"the query ran past the {self.timeout_s:g} s limit; narrow it (LIMIT, more "
                "specific patterns) or ask the administrator to raise SHAREKG_SPARQL_TIMEOUT_S", kind="query-timeout",
            ) from None  # fmt: skip

    def _evaluate(self, query: str, accept: str, deadline: float) -> Answer:
        assert self.store is not None, "run refuses queries without a store"
        try:
            result = self.store.query(query)
        except SyntaxError as e:
            raise Problem(400, "Invalid query", f"the query does not parse: {e}", kind="invalid-query") from e
        except OSError as e:
            raise Problem(400, "Query failed", f"the query failed: {e}", kind="query-failed") from e
        if isinstance(result, ox.QueryBoolean):
            return _boolean(bool(result), _select_format(accept))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows, truncated = self._take(result, deadline)
            return _solutions(variables, rows, _select_format(accept), truncated)
        triples, truncated = self._take(result, deadline)
        fmt, media = _graph_format(accept)
        body = ox.serialize(triples, format=fmt, prefixes=PREFIXES if fmt is ox.RdfFormat.TURTLE else None)
        return Answer(body or b"", media, truncated, len(triples))

    def _take(self, items: Iterator[ox.QuerySolution] | Iterator[ox.Triple], deadline: float) -> tuple[list, bool]:  # type: ignore[type-arg]
        taken: list = []  # type: ignore[type-arg]
        try:
            for item in items:
                if len(taken) == self.max_rows:
                    return taken, True
                if time.monotonic() > deadline:
                    raise TimeoutError
                taken.append(item)
        except OSError as e:
            raise Problem(400, "Query failed", f"the query failed: {e}", kind="query-failed") from e
        return taken, False

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _busy(reason: str) -> Problem:
    problem = Problem(503, "SPARQL busy", f"{reason}; try again shortly", kind="sparql-busy")
    problem.headers["Retry-After"] = "5"
    return problem


def _looks_like_update(query: str) -> bool:
    """An update names one of the update operations as a keyword outside strings and IRIs (the parser would reject
    it as a query anyway; this gives the clearer answer)."""
    words = _keywords(query)
    return any(w in UPDATE_WORDS for w in words) and not any(w in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
                                                            for w in words)  # fmt: skip


def _keywords(query: str) -> list[str]:
    out, word, quote, in_iri, comment = [], "", "", False, False
    for ch in query + " ":
        if comment:
            comment = ch != "\n"
            continue
        if quote:
            quote = "" if ch == quote else quote
            continue
        if in_iri:
            in_iri = ch != ">"
            continue
        if ch.isalpha():
            word += ch
            continue
        if word:
            out.append(word.upper())
            word = ""
        if ch in "\"'":
            quote = ch
        elif ch == "<":
            in_iri = True
        elif ch == "#":
            comment = True
    return out


def _select_format(accept: str) -> str:
    for media in (m.split(";")[0].strip().lower() for m in accept.split(",")):
        if media in SELECT_TYPES:
            return SELECT_TYPES[media]
    return "json"


def _graph_format(accept: str) -> tuple[ox.RdfFormat, str]:
    for media in (m.split(";")[0].strip().lower() for m in accept.split(",")):
        if media in GRAPH_TYPES:
            return GRAPH_TYPES[media], media
    return ox.RdfFormat.TURTLE, "text/turtle"


def _boolean(value: bool, fmt: str) -> Answer:
    if fmt == "xml":
        body = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n")  # fmt: skip
        return Answer(body.encode(), MEDIA_OF["xml"], False, 1)
    if fmt in {"csv", "tsv"}:
        return Answer(f"_askResult\r\n{'true' if value else 'false'}\r\n".encode(), MEDIA_OF[fmt], False, 1)
    return Answer(json.dumps({"head": {}, "boolean": value}).encode(), MEDIA_OF["json"], False, 1)


def _json_term(term: object) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def _solutions(variables: list[str], rows: list[ox.QuerySolution], fmt: str, truncated: bool) -> Answer:
    if fmt == "json":
        bindings = [{v: _json_term(row[v]) for v in variables if row[v] is not None} for row in rows]
        payload: dict[str, object] = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        if truncated:
            payload["head"] = {"vars": variables, "link": [], "truncated": True}
        return Answer(json.dumps(payload, ensure_ascii=False).encode(), MEDIA_OF["json"], truncated, len(rows))
    if fmt == "xml":
        out = io.StringIO()
        out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
        out.write("".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head>\n<results>\n")
        for row in rows:
            out.write("<result>")
            for v in variables:
                term = row[v]
                if term is not None:
                    out.write(f"<binding name={quoteattr(v)}>{_xml_term(term)}</binding>")
            out.write("</result>\n")
        out.write("</results>\n</sparql>\n")
        return Answer(out.getvalue().encode(), MEDIA_OF["xml"], truncated, len(rows))
    out = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if row[v] is None else row[v].value for v in variables])
    else:  # TSV holds terms in their SPARQL syntax
        out.write("\t".join(f"?{v}" for v in variables) + "\n")
        for row in rows:
            out.write("\t".join("" if row[v] is None else str(row[v]) for v in variables) + "\n")
    return Answer(out.getvalue().encode(), MEDIA_OF[fmt], truncated, len(rows))


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


__all__ = ["Answer", "SparqlRunner"]
