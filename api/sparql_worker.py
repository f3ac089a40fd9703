"""The process that evaluates ``/sparql`` queries: one read-only snapshot of the store, under a memory limit.

Started by ``api.sparql_pool`` as ``python -I api/sparql_worker.py``: a program, not an import of the ``api``
package, so it needs pyoxigraph and the standard library only, starts in a fraction of the time the package takes,
and its memory limit is not spent on the service's modules. It talks over its standard input and output:

- first line in: the configuration, JSON ``{"store": path, "union_store": path, "default": [graph IRIs], "named":
  [graph IRIs], "prefixes": {prefix: namespace}, "memory_mb": n}``; the worker opens both stores read-only, limits
  its address space to what it holds then plus ``memory_mb`` (``RLIMIT_AS``) and answers ``{"ready": true}``;
- then one request a line, JSON ``{"query": text, "accept": header, "max_rows": n}``, and one answer each: a JSON
  header line (``media_type``, ``truncated``, ``rows``, or ``error`` with its ``message``) with the ``length`` of
  the body bytes that follow: the answer in the format the client asked for, at most ``max_rows`` rows (or
  triples), ``truncated`` when there were more. Writing the format here rather than in the service keeps a large
  answer from being encoded twice (in a form for the pipe, then for the client).

Two copies of one snapshot: ``store`` holds everything (the catalogue, any graph not yet collected), and a query
reads the union of the ``default`` graphs and may name the ``named`` ones; ``union_store`` holds the ``default``
graphs only, so a query that names no graph (no ``GRAPH``, no ``FROM``) reads it with Oxigraph's
``use_default_graph_as_union``: the same answers (the same union, and no other graph to name), two to three times
faster than a union given as a list of graphs. Which copy a query reads is decided on its text, generously: any
"GRAPH" or "FROM" anywhere (in a string or an IRI too) sends it to ``store``; a wrong guess costs time, never rows.

An allocation past the limit ends the process (Rust aborts; Python's ``MemoryError`` exits with ``EXIT_MEMORY``);
the service sees its pipe close and starts another. Nothing here stops a slow query: the service kills the process
at the deadline.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import sys
from dataclasses import dataclass
from itertools import islice
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

#: Exit status of a worker whose Python side ran out of memory (a Rust allocation failure aborts: SIGABRT).
EXIT_MEMORY = 3

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
MEDIA_OF = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


def _vm_size() -> int:
    """Bytes of address space this process holds now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def limit_memory(extra_mb: int) -> None:
    """Cap the address space at what the process holds now plus ``extra_mb`` (what one query may use)."""
    limit = _vm_size() + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def names_graphs(query: str) -> bool:
    """Whether ``query`` may name a graph (``GRAPH``, ``FROM``, ``FROM NAMED``): then it reads the full copy."""
    text = query.upper()
    return "GRAPH" in text or "FROM" in text


@dataclass(frozen=True, slots=True)
class Graphs:
    """What a query reads: its default graph (the union of these) and the graphs it may name."""

    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    named: list[ox.NamedNode | ox.BlankNode]
    prefixes: dict[str, str]  # for Turtle answers

    @classmethod
    def of(cls, config: dict[str, Any]) -> Graphs:
        return cls(
            [ox.NamedNode(g) for g in config["default"]],
            [ox.NamedNode(g) for g in config["named"]],
            dict(config["prefixes"]),
        )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The two copies a worker reads (see the module's text)."""

    full: ox.Store
    union: ox.Store
    graphs: Graphs

    def query(self, query: str) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        if names_graphs(query):
            return self.full.query(query, default_graph=self.graphs.default, named_graphs=self.graphs.named)
        return self.union.query(query, use_default_graph_as_union=True)


def answer(snapshot: Snapshot, request: dict[str, Any]) -> tuple[dict[str, object], bytes]:
    """Evaluate one request: (header, body)."""
    max_rows, accept = int(request["max_rows"]), str(request["accept"])
    graphs = snapshot.graphs
    try:
        result = snapshot.query(str(request["query"]))
        if isinstance(result, ox.QueryBoolean):
            body, media = _boolean(bool(result), _select_format(accept))
            return {"media_type": media, "truncated": False, "rows": 1}, body
        taken: list[Any] = list(islice(result, max_rows + 1))
    except SyntaxError as e:
        return {"error": "syntax", "message": str(e)}, b""
    except (OSError, RuntimeError) as e:  # RuntimeError: e.g. an unbound variable as a SERVICE name
        return {"error": "failed", "message": str(e)}, b""
    truncated = len(taken) > max_rows
    del taken[max_rows:]
    if isinstance(result, ox.QuerySolutions):
        body, media = _solutions([v.value for v in result.variables], taken, _select_format(accept), truncated)
    else:
        fmt, media = _graph_format(accept)
        prefixes = graphs.prefixes if fmt is ox.RdfFormat.TURTLE else None
        body = ox.serialize(taken, format=fmt, prefixes=prefixes) or b""
    return {"media_type": media, "truncated": truncated, "rows": len(taken)}, body


def _send(out: BinaryIO, header: dict[str, object], body: bytes = b"") -> None:
    out.write(json.dumps({**header, "length": len(body)}).encode() + b"\n" + body)
    out.flush()


def serve(requests: BinaryIO, out: BinaryIO) -> None:
    config = json.loads(requests.readline())
    snapshot = Snapshot(
        ox.Store.read_only(str(config["store"])), ox.Store.read_only(str(config["union_store"])), Graphs.of(config)
    )
    limit_memory(int(config["memory_mb"]))
    _send(out, {"ready": True})
    for line in requests:
        _send(out, *answer(snapshot, json.loads(line)))


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


def _boolean(value: bool, fmt: str) -> tuple[bytes, str]:
    if fmt == "xml":
        body = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        )
        return body.encode(), MEDIA_OF["xml"]
    if fmt in {"csv", "tsv"}:
        return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode(), MEDIA_OF[fmt]
    return json.dumps({"head": {}, "boolean": value}).encode(), MEDIA_OF["json"]


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


def _solutions(variables: list[str], rows: list[ox.QuerySolution], fmt: str, truncated: bool) -> tuple[bytes, str]:
    if fmt == "json":
        bindings = [{v: _json_term(row[v]) for v in variables if row[v] is not None} for row in rows]
        payload: dict[str, object] = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        if truncated:
            payload["head"] = {"vars": variables, "link": [], "truncated": True}
        return json.dumps(payload, ensure_ascii=False).encode(), MEDIA_OF["json"]
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
        return out.getvalue().encode(), MEDIA_OF["xml"]
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
    return out.getvalue().encode(), MEDIA_OF[fmt]


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


def main() -> None:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers on the pipe
    try:
        serve(sys.stdin.buffer, out)
    except MemoryError:
        os._exit(EXIT_MEMORY)


if __name__ == "__main__":
    main()
