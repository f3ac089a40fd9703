"""For resource centres: utilisation against demand, under-used assets, unmet needs, the words of needs the glossary
could not read, impact; CSV and chart exports.

Windows are ``since``/``until`` (ISO dates or times; default the 365 days up to now); ``organization`` (a name as
the catalogues give it, or an organisation IRI) limits assets to that organisation and the units under it.

Who may read what: the reports that show students' needs (their texts, and the teams that consented to be named)
need a key of role admin or centre: ``/analytics/underused`` (a centre key sees its own organisation's assets only:
``organization`` defaults to it, and another organisation's units are left out), and ``/analytics/unmet-needs`` with
its chart and CSV (the needs nothing fitted are not any one organisation's assets, so a centre key sees all of them),
and ``/analytics/unknown-words`` (its example needs are students' texts; every centre key sees every word).
``/analytics/utilisation`` and its chart stay public: they show hours and capacity per asset and only counts of the
needs each matched, never a need's text or who asked, and what a shared instrument is used for is the public's
business (the sharing rate is what platforms report).
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from api.convert import resource_iri
from api.deps import MatcherDep, ReaderDep, ServicesDep
from api.keys import Caller
from api.problems import Problem
from graph.centre import (
    DEFAULT_THRESHOLD,
    UnmetReport,
    UtilisationReport,
    resource_impact,
    underused,
    underused_csv,
    unknown_words_csv,
    unknown_words_report,
    unmet_chart,
    unmet_csv,
    unmet_needs,
    utilisation,
    utilisation_chart,
)
from graph.store import BASE
from ingest.iris import org_iri
from ingest.records import OrgRef

router = APIRouter(tags=["resource centres"])

Since = Annotated[datetime | None, Query(description="Start of the window (ISO 8601; default: a year before until).")]
Until = Annotated[datetime | None, Query(description="End of the window (ISO 8601; default: now).")]
Organization = Annotated[
    str | None, Query(max_length=300, description="Organisation name or IRI: its assets and its units' assets.")
]
MEDIA = {"png": "image/png", "svg": "image/svg+xml", "csv": "text/csv; charset=utf-8"}


#: Years a window may start and end in, and its longest span: beyond them the reports' date arithmetic overflowed
#: (a 500) and a chart of every month since year 1 ran for minutes (found by tests/api/test_schema_fuzz.py).
YEARS = (1970, 2200)
LONGEST_WINDOW_DAYS = 50 * 366


def _moment(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise Problem(
            422,
            "Invalid request",
            f"{value.isoformat()} is out of range; give a date in the years {YEARS[0]} to {YEARS[1]}",
        )
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _window(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    since, until = _moment(since), _moment(until)
    if since is not None and until is not None and (until - since).days > LONGEST_WINDOW_DAYS:
        raise Problem(422, "Invalid request", "the window from since to until is over 50 years; give a shorter one")
    return since, until


def _organization(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    value = value.strip()
    control = next((c for c in value if unicodedata.category(c) == "Cc"), None)
    if control is not None:  # it would reach the query's text
        raise Problem(
            422,
            "Invalid request",
            f"organization holds a control character (U+{ord(control):04X}); give "
            "the organisation's name or IRI as plain text",
            kind="invalid-request",
            errors=[{"field": "organization", "reason": "control character"}],
        )
    if value.startswith("http://") or value.startswith("https://"):
        if not value.startswith(f"{BASE}org/") or any(c in value for c in '<>"{}|^`\\ '):
            raise Problem(422, "Invalid request", f"{value!r} is not a sharekg organisation IRI ({BASE}org/…)")
        return value
    return org_iri(OrgRef(value)).value


def _report(
    services: ServicesDep, organization: str | None, since: datetime | None, until: datetime | None
) -> UtilisationReport:
    since, until = _window(since, until)
    return utilisation(
        services.sparql_store,
        services.demand,
        since=since,
        until=until,
        organization=_organization(organization),
        capacity_defaults=services.settings.capacity_hours,
    )


def _download(data: bytes, fmt: str, name: str) -> Response:
    return Response(
        data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )


@router.get("/analytics/utilisation", summary="Each instrument and facility: use against capacity and demand")
def get_utilisation(
    services: ServicesDep, organization: Organization = None, since: Since = None, until: Until = None
) -> dict[str, object]:
    """Hours used and booked in the window against capacity (stated on the resource, else a per-type default), and
    how often and how strongly the asset matched logged needs in the same window."""
    return asdict(_report(services, organization, since, until))


@router.get("/analytics/utilisation/chart", summary="Utilisation against demand as a chart (PNG or SVG)")
def get_utilisation_chart(
    services: ServicesDep,
    organization: Organization = None,
    since: Since = None,
    until: Until = None,
    format: Literal["png", "svg"] = "svg",
) -> Response:
    return _download(utilisation_chart(_report(services, organization, since, until), format), format, "utilisation")


def _own_report(
    services: ServicesDep, reader: Caller, organization: str | None, since: datetime | None, until: datetime | None
) -> UtilisationReport:
    """The report a reader may see: a centre key's is limited to its own organisation's assets (and its units')."""
    if reader.role != "centre" or not reader.organization:
        return _report(services, organization, since, until)
    own = _report(services, reader.organization, since, until)
    if _organization(organization) in (None, reader.organization_iri):
        return own
    asked = _report(services, organization, since, until)
    mine = {a.iri for a in own.assets}
    return replace(asked, assets=tuple(a for a in asked.assets if a.iri in mine))


@router.get("/analytics/underused", summary="High-fit, low-use assets, with the needs they fitted and who asked")
def get_underused(
    services: ServicesDep,
    reader: ReaderDep,
    organization: Organization = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """Ranked by demand strength (summed fit of the needs it matched) times the share of capacity left idle. Teams are
    shown only as the askers named themselves (with their consent). Needs a centre or admin key: a centre key sees its
    own organisation's assets only."""
    ranked = underused(_own_report(services, reader, organization, since, until), services.demand, limit=limit)
    if format == "csv":
        return _download(underused_csv(ranked), "csv", "underused")
    return JSONResponse([asdict(u) for u in ranked])


def _unmet(
    services: ServicesDep, matcher: MatcherDep, since: datetime | None, until: datetime | None, threshold: float
) -> UnmetReport:
    since, until = _window(since, until)
    return unmet_needs(services.demand, matcher.index, services.embedder, threshold=threshold, since=since, until=until)


Threshold = Annotated[
    float,
    Query(
        ge=-1,
        le=1,
        description="For needs logged before the matcher's verdict was kept: unmet when their closest result's "
        "cosine is below this (later needs are unmet when they were told that nothing fits them well).",
    ),
]


@router.get("/analytics/unmet-needs", summary="Needs nothing fitted well, clustered by meaning, counted per month")
def get_unmet(
    services: ServicesDep,
    matcher: MatcherDep,
    reader: ReaderDep,
    since: Since = None,
    until: Until = None,
    threshold: Threshold = DEFAULT_THRESHOLD,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """What to open, buy or post as a challenge: logged needs that were told nothing fits them well (those logged
    before that was kept: whose best match fell below the threshold), grouped by meaning and named by their nearest
    subjects, with counts per month and example needs. Needs a centre or admin key (students' unpublished ideas are
    in it)."""
    report = _unmet(services, matcher, since, until, threshold)
    if format == "csv":
        return _download(unmet_csv(report), "csv", "unmet-needs")
    return JSONResponse(asdict(report))


@router.get("/analytics/unmet-needs/chart", summary="Unmet needs per month as a chart (PNG or SVG)")
def get_unmet_chart(
    services: ServicesDep,
    matcher: MatcherDep,
    reader: ReaderDep,
    since: Since = None,
    until: Until = None,
    threshold: Threshold = DEFAULT_THRESHOLD,
    format: Literal["png", "svg"] = "svg",
) -> Response:
    report = _unmet(services, matcher, since, until, threshold)
    return _download(unmet_chart(report, format), format, "unmet-needs")


@router.get(
    "/analytics/unknown-words", summary="Chinese words of logged needs the glossary read character by character"
)
def get_unknown_words(
    services: ServicesDep,
    reader: ReaderDep,
    since: Since = None,
    until: Until = None,
    top: Annotated[int, Query(ge=1, le=1000, description="How many words to list, the most asked first.")] = 30,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """The Chinese words of the needs logged in the window that CC-CEDICT and the deployment's own terms lack as
    wholes, so that the matcher read them by their characters (钙钛矿 as "calcium titanium ore"): each with how many
    needs held it and the first of them, the most asked first. Those needs were matched by a gloss that misses their
    subject; the words are the ones to add to the terms file (``SHAREKG_GLOSSARY_TERMS``), and the CSV is that file's
    form (columns ``chinese`` and ``english``, the English left to fill in). Needs a centre or admin key (the
    example needs are students' texts)."""
    since, until = _window(since, until)
    report = unknown_words_report(services.demand, services.glossary_source(), since=since, until=until, top=top)
    if format == "csv":
        return _download(unknown_words_csv(report), "csv", "unknown-words")
    return JSONResponse(asdict(report))


@router.get("/resources/{rid:path}/impact", summary="What a resource helped produce")
def get_impact(rid: str, services: ServicesDep) -> dict[str, object]:
    """Outputs of contest entries (papers, software, patents, awards, start-ups, data) linked to the resource:
    made with it, or by teams that used or were matched to it; each with the evidence path."""
    iri = resource_iri(rid)
    if not services.store.describe(iri):
        raise Problem(404, "Not found", f"no resource {rid!r} in the graph; find ids with GET /resources?q=...")
    return asdict(resource_impact(services.sparql_store, iri))
