"""The SPARQL 1.1 Protocol endpoint: ``GET /sparql?query=…``, ``POST`` as a form or as ``application/sparql-query``.

Read-only, time-limited and size-capped (see ``api.sparql``); answers in SPARQL JSON, XML, CSV or TSV for SELECT and
ASK, in Turtle, N-Triples, JSON-LD or RDF/XML for CONSTRUCT and DESCRIBE, by the Accept header. A capped answer says
so in the ``SPARQL-Results-Truncated`` header.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.problems import Problem
from api.sparql import Answer

router = APIRouter(tags=["linked data"])

SELECT_MEDIA = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_MEDIA = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "Query results", "content": {m: {} for m in SELECT_MEDIA + GRAPH_MEDIA}},
}


def _answer(answer: Answer) -> Response:
    headers = {"SPARQL-Results-Truncated": "true"} if answer.truncated else {}
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def _refuse_update() -> Problem:
    return Problem(
        403, "Read-only endpoint", "this endpoint answers queries only; SPARQL updates are refused", kind="read-only"
    )


@router.get("/sparql", summary="SPARQL query (SPARQL 1.1 Protocol, read-only)", responses=RESPONSES)
def sparql_get(
    request: Request,
    services: ServicesDep,
    query: Annotated[str | None, Query(max_length=100_000, description="The SPARQL query.")] = None,
    update: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> Response:
    """The default graph is the union of every source's current graph; ``GRAPH`` reaches each source's graph and
    the catalogue (``…/graph/catalogue``) of which graph is current."""
    if update is not None:
        raise _refuse_update()
    if not query:
        raise Problem(
            400,
            "Invalid request",
            "pass the query in the `query` parameter, e.g. /sparql?query=SELECT * WHERE { ?s ?p ?o } LIMIT 10",
            kind="missing-query",
        )
    return _answer(services.sparql.run(query, request.headers.get("accept", "")))


@router.post("/sparql", summary="SPARQL query by POST (form or application/sparql-query)", responses=RESPONSES)
async def sparql_post(request: Request, services: ServicesDep) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == "application/sparql-update":
        raise _refuse_update()
    if content_type == "application/sparql-query":
        query = body.decode("utf-8", errors="replace")
    elif content_type == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8", errors="replace"))
        if "update" in form:
            raise _refuse_update()
        query = (form.get("query") or [""])[0]
    else:
        raise Problem(
            415,
            "Unsupported media type",
            "send the query as application/sparql-query or as the `query` "
            "field of an application/x-www-form-urlencoded form",
            kind="unsupported-media-type",
        )
    if not query.strip():
        raise Problem(400, "Invalid request", "the request holds no query", kind="missing-query")
    accept = request.headers.get("accept", "")
    return _answer(await run_in_threadpool(services.sparql.run, query, accept))
