"""Browsing resources: ``GET /resources`` (text search, facets, pages) and one resource by content negotiation."""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.convert import resource_id, resource_iri
from api.deps import MatcherDep, ServicesDep
from api.problems import Problem
from api.resource_view import CONTEXT_PATH, jsonld_context, resource_jsonld, resource_turtle, resource_view
from api.schemas import FacetValue, ResourceOut, ResourcePage, ResourceSummary, ResourceType
from graph.search import Matcher, ResourceDoc

router = APIRouter(tags=["resources"])

FACET_SIZE = 20
JSONLD = "application/ld+json"
TURTLE = "text/turtle"


def _place(d: ResourceDoc) -> str:
    return ", ".join(p for p in (d.city, d.region, d.country) if p)


def _facets(matcher: Matcher, rows: np.ndarray) -> dict[str, list[FacetValue]]:
    docs = matcher.index.docs
    counts: dict[str, Counter[str]] = {"type": Counter(), "organization": Counter(), "region": Counter(),
                                       "country": Counter(), "subject": Counter()}  # fmt: skip
    for i in rows:
        d = docs[int(i)]
        counts["type"][d.type] += 1
        if d.organization_label:
            counts["organization"][d.organization_label] += 1
        if d.region:
            counts["region"][d.region] += 1
        if d.country:
            counts["country"][d.country] += 1
        for s in d.subjects:
            counts["subject"][s] += 1
    label = matcher.index.label_of
    return {
        name: [FacetValue(value=v, label=label(v) if name == "subject" else v, count=n)
               for v, n in c.most_common(FACET_SIZE)]
        for name, c in counts.items()
    }  # fmt: skip


def _lexical_scores(matcher: Matcher, q: str) -> np.ndarray:
    """BM25 of every document for ``q`` (each type's index scores its own rows)."""
    scores = np.zeros(len(matcher.index.docs), dtype=np.float32)
    for part in matcher.index.parts.values():
        scores[part.rows] = part.lexical.scores(q)
    return scores


@router.get("/resources", summary="Search and browse resources, with facets")
def list_resources(
    matcher: MatcherDep,
    services: ServicesDep,
    q: Annotated[str | None, Query(max_length=1000, description="Words to search for (BM25).")] = None,
    type: Annotated[list[ResourceType] | None, Query(description="Only these types.")] = None,
    organization: Annotated[str | None, Query(max_length=300)] = None,
    region: Annotated[str | None, Query(max_length=300)] = None,
    country: Annotated[str | None, Query(max_length=300)] = None,
    subject: Annotated[str | None, Query(max_length=500, description="Subject IRI.")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1)] = 20,
) -> ResourcePage:
    """Every matchable resource (instruments, facilities, datasets, experts); with ``q``, ranked by BM25 over
    their text. Facets count the resources that pass the other constraints."""
    if limit > services.settings.page_size_max:
        raise Problem(422, "Invalid request", f"limit is {limit}; ask for at most {services.settings.page_size_max}")
    docs = matcher.index.docs
    keep = np.ones(len(docs), dtype=bool)
    if type:
        keep &= np.isin(np.array([d.type for d in docs]), type)
    for name, value in (("organization", organization), ("region", region), ("country", country)):
        if value:
            wanted = value.strip().lower()
            column = [getattr(d, "organization_label" if name == "organization" else name).lower() for d in docs]
            keep &= np.array([c == wanted for c in column], dtype=bool)
    if subject:
        keep &= np.array([subject in d.subjects for d in docs], dtype=bool)
    scores: np.ndarray | None = None
    if q and q.strip():
        scores = _lexical_scores(matcher, q)
        keep &= scores > 0
    rows = np.flatnonzero(keep)
    if scores is not None:
        rows = rows[np.argsort(-scores[rows], kind="stable")]
    else:
        rows = rows[np.argsort([docs[int(i)].label.lower() for i in rows], kind="stable")]
    page = rows[offset : offset + limit]
    items = [
        ResourceSummary(
            id=resource_id(docs[int(i)].iri), iri=docs[int(i)].iri, type=docs[int(i)].type, label=docs[int(i)].label,
            description=docs[int(i)].description[:400], organization=docs[int(i)].organization_label,
            place=_place(docs[int(i)]), score=round(float(scores[int(i)]), 4) if scores is not None else None,
        )
        for i in page
    ]  # fmt: skip
    return ResourcePage(total=len(rows), offset=offset, limit=limit, items=items, facets=_facets(matcher, rows))


@router.get(CONTEXT_PATH, summary="The JSON-LD @context resources are published with", tags=["linked data"])
def context() -> JSONResponse:
    return JSONResponse(jsonld_context(), media_type=JSONLD)


def _negotiate(request: Request, fmt: str | None) -> str:
    if fmt:
        return fmt
    accept = request.headers.get("accept", "*/*")
    ranked = []
    for n, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = next((float(p[2:]) for p in params if p.startswith("q=") and _is_number(p[2:])), 1.0)
        ranked.append((-quality, n, media.lower()))
    for _, _, media in sorted(ranked):
        if media in {JSONLD}:
            return "jsonld"
        if media in {TURTLE, "application/x-turtle"}:
            return "turtle"
        if media in {"application/json", "*/*", "application/*", "text/html", "text/*"}:
            return "json"
    raise Problem(406, "Not acceptable", f"cannot answer {accept!r}; ask for application/json, {JSONLD} or {TURTLE}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@router.get(
    "/resources/{rid:path}",
    summary="One resource: JSON, JSON-LD or Turtle by content negotiation",
    response_model=ResourceOut,
    responses={200: {"content": {JSONLD: {}, TURTLE: {}}}},
)
def get_resource(
    rid: str, request: Request, services: ServicesDep,
    format: Annotated[Literal["json", "jsonld", "turtle"] | None, Query(description="Overrides Accept.")] = None,
) -> Response:  # fmt: skip
    """Its statements (with the labels of what they point to), the statements that point to it, and where and how
    to get access. ``Accept: application/ld+json`` gives JSON-LD with the context at /context.jsonld;
    ``Accept: text/turtle`` gives Turtle."""
    iri = resource_iri(rid)
    kind = _negotiate(request, format)
    missing = Problem(404, "Not found", f"no resource {rid!r} in the graph; find ids with GET /resources?q=...")
    if kind == "turtle":
        data = resource_turtle(services.store, iri)
        if data is None:
            raise missing
        return Response(data, media_type=TURTLE)
    if kind == "jsonld":
        node = resource_jsonld(services.store, iri, str(request.url_for("context")))
        if node is None:
            raise missing
        return Response(json.dumps(node, ensure_ascii=False), media_type=JSONLD)
    matcher = services.index.matcher
    doc = matcher.index.docs[matcher.position[iri]] if matcher and iri in matcher.position else None
    view = resource_view(services.store, iri, doc)
    if view is None:
        raise missing
    return JSONResponse(view.model_dump(mode="json"))
