"""Matching for student teams (``POST /match``, ``POST /match/bundle``) and reverse matching for centres."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from api.convert import bundle_out, resource_iri, response_out
from api.deps import ClientDep, MatcherDep, ReaderDep, ServicesDep
from api.languages import languages
from api.problems import Problem
from api.schemas import (
    BundleRequest,
    BundlesOut,
    MatchFilters,
    MatchRequest,
    MatchResponseOut,
    NeedMatchOut,
    ReverseMatchOut,
    TeamContext,
)
from graph.centre import Asker
from graph.contest import stated_needs
from graph.errors import MatchError
from graph.search import Filters, TeamPlace, bundles

router = APIRouter(tags=["matching"])


def _filters(f: MatchFilters, types: tuple[str, ...] = ()) -> Filters:
    return Filters(types, f.organization, f.country, f.region, f.city, f.access)


def _team(t: TeamContext | None) -> TeamPlace | None:
    return TeamPlace(t.organization, t.region, t.country) if t else None


def _asker(client: str, t: TeamContext | None) -> Asker:
    if t is None:
        return Asker(client)
    return Asker(client, t.name, t.organization, t.contact, t.consent_to_log)


@router.post("/match", summary="Resources that fit a need, per type, each explained", response_model=MatchResponseOut)
async def match(
    request: MatchRequest,
    matcher: MatcherDep,
    services: ServicesDep,
    client: ClientDep,
    accept_language: Annotated[str | None, Header(description="Languages to show labels in.")] = None,
) -> Response:
    """Candidates from dense (embedding) and lexical (BM25) search and the graph, each given one calibrated fit from
    their evidence (similarity, shared terms, the graph's evidence, how central among their kind) and a band, ranked by
    it times the re-ranking factors (availability, same organisation or region as the team); a type whose first
    results do not reach the floor says that nothing fits well (``notes``). Filters apply before ranking. Every
    result says why it matched: the need's terms and sentences, the shared subjects, and the graph path to it. The
    request is logged (need, filters, top results) for resource centres, within per-client limits (over them the
    match is answered and not logged: the ``X-Demand-Log`` header says why); the team's name, organisation and
    contact only with ``team.consent_to_log``. Labels are in the reader's language where a resource has one
    (``lang``, else ``Accept-Language``), else as the source wrote them."""
    # Async on purpose: ranking (a few ms of Python) runs on the event loop while the model call is awaited on the
    # encoder thread. As a sync handler, every request held a worker thread contending for the interpreter lock,
    # which limited throughput and the tail under load (before and after: benchmarks/results/load.md).
    filters = _filters(request.filters, tuple(request.types))
    logged = await services.intake.match_async(  # the log write on a worker thread, never on the event loop
        matcher, request.text, filters, request.k, _asker(client, request.team), _team(request.team)
    )
    response, need_id = logged.response, logged.need_id
    # Serialised here: returned as a model, FastAPI would validate it again (on a worker thread) first.
    out = response_out(response, need_id, languages(accept_language, request.lang), matcher.index.doc)
    return Response(out.model_dump_json(), media_type="application/json", headers={"X-Demand-Log": logged.logged})


@router.post("/match/bundle", summary="Coherent sets across types for a need")
def bundle(request: BundleRequest, matcher: MatcherDep) -> BundlesOut:
    """Each bundle is an instrument that fits, the facility it sits in, the expert who runs it (or knows the
    technique, or works at the same organisation) and a dataset that fits, joined in the graph and ranked jointly."""
    found = bundles(matcher, request.text, _filters(request.filters), request.k, _team(request.team))
    return BundlesOut(need=request.text.strip(), bundles=[bundle_out(b) for b in found])


@router.get("/resources/{rid:path}/matches", summary="Reverse matching: the needs a resource fits best")
def reverse(
    rid: str,
    matcher: MatcherDep,
    services: ServicesDep,
    reader: ReaderDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> ReverseMatchOut:
    """For a resource centre (a centre or admin key: students' needs are in it; a centre key, for its own
    organisation's resources only): the logged needs of student teams (ids are numbers) and the needs contest entries
    state (ids are the entry's IRI) this resource fits best, with the terms they share: first the needs it stands out
    for among its kind (``standout``: its cosine with the need less the need's mean cosine with the kind's resources,
    plus shared terms; a need as close to every resource of the kind comes later), each with its cosine
    (``similarity``). Logged needs are compared by the vectors stored when they were logged."""
    iri = resource_iri(rid)
    doc = matcher.index.doc(iri)
    if doc is None:
        raise Problem(404, "Not found", f"no matchable resource {rid!r} (instruments, facilities, datasets, experts)")
    own = reader.organization_iri
    if reader.role == "centre" and own not in doc.organizations:
        raise Problem(
            403,
            "Forbidden",
            f"a key of {reader.organization!r} sees reverse matching for its own "
            f"organisation's resources only; {rid!r} is not one",
            kind="forbidden-organization",
        )
    try:
        found = services.intake.reverse(matcher, iri, stated_needs(services.sparql_store), k)
    except MatchError as e:
        raise Problem(404, "Not found", str(e)) from e
    label = doc.label
    return ReverseMatchOut(
        id=rid,
        iri=iri,
        label=label,
        needs=[
            NeedMatchOut(
                need_id=m.need_id,
                text=m.text,
                similarity=m.similarity,
                matched_terms=m.matched_terms,
                standout=m.standout,
            )
            for m in found
        ],
    )
