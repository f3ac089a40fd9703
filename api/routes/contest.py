"""The contest lifecycle over HTTP: contests, their topics and entries; an entry with its evidence for judges; mentor
suggestions that balance load and skip conflicts of interest, saying why."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from api.convert import resource_iri
from api.deps import MatcherDep, ServicesDep
from api.problems import Problem
from graph.centre import entry_evidence
from graph.contest import DEFAULT_CAP, Entry, contest_detail, contests, entry, suggest_mentors
from graph.search import MAX_NEED_CHARS

router = APIRouter(tags=["contest"])


class MentorRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a field this endpoint does not read (filters, types) is refused

    text: str = Field(..., min_length=1, max_length=MAX_NEED_CHARS, description="The team's need.")
    team: str | None = Field(None, max_length=500, description="The team's id (team/<source>/<id>), for conflicts.")
    k: StrictInt = Field(3, ge=1, le=20)
    cap: int = Field(DEFAULT_CAP, ge=1, le=100, description="Most entries one expert may mentor.")


@router.get("/contests", summary="Contests, newest first, with their tracks")
def list_contests(services: ServicesDep) -> list[dict[str, object]]:
    return [asdict(c) for c in contests(services.sparql_store)]


@router.get("/contests/{rid:path}", summary="A contest: its tracks, challenge topics and entries")
def get_contest(rid: str, services: ServicesDep) -> dict[str, object]:
    found = contest_detail(services.sparql_store, resource_iri(rid))
    if found is None:
        raise Problem(404, "Not found", f"no contest {rid!r}; list them with GET /contests")
    return asdict(found)


def _entry(services: ServicesDep, rid: str) -> Entry:
    """The entry with this id, or a 404 that says where entries are listed."""
    found = entry(services.sparql_store, resource_iri(rid))
    if found is None:
        raise Problem(404, "Not found", f"no entry {rid!r}; find entries with GET /contests/{{id}}")
    return found


@router.get("/entries/{rid:path}/mentors", summary="Mentors for an entry: load-balanced, conflicts skipped")
def entry_mentors(
    rid: str,
    services: ServicesDep,
    matcher: MatcherDep,
    k: Annotated[int, Query(ge=1, le=20)] = 3,
    cap: Annotated[int, Query(ge=1, le=100)] = DEFAULT_CAP,
) -> dict[str, object]:
    """Experts ranked for the entry's need; an expert who is in the team, shares its organisation, co-authored with
    a member, already mentors the entry or is at the cap is skipped, with the reason."""
    iri = _entry(services, rid).iri
    return asdict(suggest_mentors(services.sparql_store, matcher, entry=iri, k=k, cap=cap))


@router.get("/entries/{rid:path}/evidence", summary="The resource use recorded for an entry, for judges")
def get_evidence(rid: str, services: ServicesDep) -> dict[str, object]:
    return asdict(entry_evidence(services.sparql_store, _entry(services, rid).iri))


@router.get("/entries/{rid:path}", summary="An entry: team, need, matched resources, mentors, outputs")
def get_entry(rid: str, services: ServicesDep) -> dict[str, object]:
    return asdict(_entry(services, rid))


@router.post("/mentors/suggest", summary="Mentors for a need (and team), load-balanced, conflicts skipped")
def mentors_for_need(request: MentorRequest, services: ServicesDep, matcher: MatcherDep) -> dict[str, object]:
    team = resource_iri(request.team) if request.team else None
    return asdict(
        suggest_mentors(services.sparql_store, matcher, request.text, team=team, k=request.k, cap=request.cap)
    )
