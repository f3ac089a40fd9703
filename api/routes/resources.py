"""Browsing resources: ``GET /resources`` (text search, facets, pages) and one resource by content negotiation."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.convert import localised_label, resource_id, resource_iri
from api.deps import MatcherDep, ServicesDep
from api.languages import ReaderLanguages
from api.problems import Problem
from api.resource_view import CONTEXT_PATH, jsonld_context, resource_jsonld, resource_turtle, resource_view
from api.schemas import FacetValue, ResourceOut, ResourcePage, ResourceSummary, ResourceType
from graph.search import BrowseItem, ResourceDoc, browse

router = APIRouter(tags=["resources"])

JSONLD = "application/ld+json"
TURTLE = "text/turtle"


def _place(d: ResourceDoc) -> str:
    return ", ".join(p for p in (d.city, d.region, d.country) if p)


def _summary(item: BrowseItem, wanted: tuple[str, ...]) -> ResourceSummary:
    d = item.doc
    return ResourceSummary(
        id=resource_id(d.iri),
        iri=d.iri,
        type=d.type,
        label=localised_label(d, wanted),
        description=d.description[:400],
        organization=d.organization_label,
        place=_place(d),
        score=round(item.score, 4) if item.score is not None else None,
    )


@router.get("/resources", summary="Search and browse resources, with facets")
def list_resources(
    matcher: MatcherDep,
    services: ServicesDep,
    wanted: ReaderLanguages,
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
    their text. Facets count the resources that pass the other constraints. Labels are in the reader's language
    where the graph has one (``Accept-Language`` or ``lang``)."""
    if limit > services.settings.page_size_max:
        raise Problem(422, "Invalid request", f"limit is {limit}; ask for at most {services.settings.page_size_max}")
    page = browse(
        matcher.index,
        q=q,
        types=type or (),
        organization=organization,
        region=region,
        country=country,
        subject=subject,
        offset=offset,
        limit=limit,
    )
    facets = {
        name: [FacetValue(value=f.value, label=f.label, count=f.count) for f in values]
        for name, values in page.facets.items()
    }
    items = [_summary(item, wanted) for item in page.items]
    return ResourcePage(total=page.total, offset=offset, limit=limit, items=items, facets=facets)


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
    rid: str,
    request: Request,
    services: ServicesDep,
    wanted: ReaderLanguages,
    format: Annotated[Literal["json", "jsonld", "turtle"] | None, Query(description="Overrides Accept.")] = None,
) -> Response:
    """Its statements (with the labels of what they point to), the statements that point to it, and where and how
    to get access. ``Accept: application/ld+json`` gives JSON-LD with the context at /context.jsonld;
    ``Accept: text/turtle`` gives Turtle; both keep every literal with its language tag. The JSON shows labels and
    the description in the reader's language where the graph has one (``Accept-Language``, or ``lang``)."""
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
    doc = matcher.index.doc(iri) if matcher else None
    view = resource_view(services.store, iri, doc, wanted)
    if view is None:
        raise missing
    return JSONResponse(view.model_dump(mode="json"))
