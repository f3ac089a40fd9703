"""Resource centres and the contest over HTTP, on the fixture graph plus usage and a contest uploaded through the API:
utilisation against demand, under-used assets, unmet needs, exports, impact, entries, evidence and mentors."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from tests.api.conftest import Service
from tests.api.test_service import assert_problem

WINDOW = {"since": "2026-01-01", "until": "2027-01-01"}
NMR_NEED = "We need NMR spectroscopy to characterise the organic compounds we synthesise"


def _upload(service: Service, name: str, data: str, fmt: str) -> None:
    r = service.client.post("/ingest", files={"file": (name, data.encode())}, data={"format": fmt},
                            headers={"X-API-Key": service.admin_key})  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "loaded" and not r.json()["rejected"], r.text


def _first(service: Service, q: str, type_: str) -> dict[str, str]:
    items = service.client.get("/resources", params={"q": q, "type": type_}).json()["items"]
    return dict(items[0])


@pytest.fixture
def centre(writable_service: Service) -> Iterator[tuple[Service, dict[str, str], dict[str, str]]]:
    s = writable_service
    busy, idle = _first(s, "computer", "Instrument"), _first(s, "NMR", "Instrument")
    expert = _first(s, "NMR spectroscopy", "Expert")
    rows = ["id,resource,organization,team,start,end,hours_booked,hours_used,status"]
    for day in range(1, 29):
        day_ = f"2026-02-{day:02}"
        rows.append(f"b-{day},{busy['iri']},University of St Andrews,,{day_}T09:00,{day_}T17:00,8,8,completed")
    rows.append(f"b-99,{idle['iri']},Delaware State University,,2026-03-02T09:00,2026-03-02T10:00,1,0,no-show")
    _upload(s, "bookings.csv", "\n".join(rows) + "\n", "usage")
    contest = [
        {"kind": "contest", "id": "cup", "name": "Sharing Cup 2026", "start": "2026-03-01", "end": "2026-11-30",
         "tracks": [{"id": "research", "name": "Research"}]},
        {"kind": "topic", "id": "nmr", "contest": "cup", "title": "Organic NMR", "text": NMR_NEED,
         "posted_by": "Delaware State University"},
        {"kind": "team", "id": "t-1", "name": "Team One", "members": [{"id": "m-1", "name": "A Student"}],
         "organizations": ["University of St Andrews"]},
        {"kind": "entry", "id": "e-1", "title": "Molecules by NMR", "track": "research", "topic": "nmr", "team": "t-1",
         "need": NMR_NEED, "matched_resources": [idle["iri"]], "mentors": [expert["iri"]],
         "outputs": [{"id": "o-1", "kind": "paper", "title": "Small molecules", "year": 2026,
                      "made_with": [idle["iri"]]}]},
    ]  # fmt: skip
    _upload(s, "contest.jsonl", "\n".join(json.dumps(line) for line in contest) + "\n", "contest")
    for _ in range(3):
        s.client.post("/match", json={"text": NMR_NEED, "team": {"name": "Team One", "contact": "a@example.org"}})
    s.client.post("/match", json={"text": "a survey of loneliness among retired sailors"})
    yield s, busy, idle


def test_utilisation_against_capacity_and_demand(centre: tuple[Service, dict[str, str], dict[str, str]]) -> None:
    service, busy, idle = centre
    assets = {a["iri"]: a for a in service.client.get("/analytics/utilisation", params=WINDOW).json()["assets"]}
    assert assets[busy["iri"]]["hours_used"] == 28 * 8 and assets[busy["iri"]]["utilisation"] > 0
    assert assets[idle["iri"]]["hours_used"] == 0 and assets[idle["iri"]]["demand_needs"] >= 3


def test_underused_lists_the_idle_instrument_with_the_teams_that_asked(
    centre: tuple[Service, dict[str, str], dict[str, str]],
) -> None:
    service, _, idle = centre
    ranked = service.client.get("/analytics/underused", params=WINDOW).json()
    top = ranked[0]
    assert top["asset"]["iri"] == idle["iri"] and "Team One" in top["teams"]
    assert top["needs"][0]["text"] == NMR_NEED
    exported = service.client.get("/analytics/underused", params={**WINDOW, "format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert len(rows) == len(ranked) + 1


def test_unmet_needs_and_charts(centre: tuple[Service, dict[str, str], dict[str, str]]) -> None:
    service, _, _ = centre
    report = service.client.get("/analytics/unmet-needs", params=WINDOW).json()
    unmet = [n["text"] for c in report["clusters"] for n in c["needs"]]
    assert "a survey of loneliness among retired sailors" in unmet and NMR_NEED not in unmet
    svg = service.client.get("/analytics/unmet-needs/chart", params={**WINDOW, "format": "svg"})
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
    png = service.client.get("/analytics/utilisation/chart", params={**WINDOW, "format": "png"})
    assert png.content.startswith(b"\x89PNG")
    assert service.client.get("/analytics/unmet-needs", params={**WINDOW, "format": "csv"}).text.count("\n") >= 2


def test_impact_entries_evidence_and_mentors(centre: tuple[Service, dict[str, str], dict[str, str]]) -> None:
    service, _, idle = centre
    impact = service.client.get(f"/resources/{idle['id']}/impact").json()
    assert [o["label"] for o in impact["outputs"]] == ["Small molecules"]
    contests = service.client.get("/contests").json()
    assert contests[0]["label"] == "Sharing Cup 2026"
    cid = contests[0]["iri"].split("/id/", 1)[1]
    detail = service.client.get(f"/contests/{cid}").json()
    assert detail["topics"][0]["posted_by"]["label"] == "Delaware State University" and len(detail["entries"]) == 1
    eid = detail["entries"][0]["iri"].split("/id/", 1)[1]
    entry = service.client.get(f"/entries/{eid}").json()
    assert entry["need"] == NMR_NEED and entry["team"]["label"] == "Team One" and entry["mentors"]
    evidence = service.client.get(f"/entries/{eid}/evidence").json()
    assert evidence["resources"][0]["iri"] == idle["iri"]
    mentors = service.client.get(f"/entries/{eid}/mentors", params={"cap": 1}).json()
    reasons = [r for s in mentors["skipped"] for r in s["reasons"]]
    assert any("already mentors this entry" in r or "at cap" in r for r in reasons)
    assert all(m["iri"] != entry["mentors"][0]["iri"] for m in mentors["suggested"])
    fits = service.client.get(f"/resources/{idle['id']}/matches").json()
    assert any(n["need_id"] == entry["iri"] for n in fits["needs"])  # the entry's stated need


def test_centre_errors(writable_service: Service) -> None:
    c = writable_service.client
    assert_problem(c.get("/analytics/utilisation", params={"since": "2027-01-01", "until": "2026-01-01"}), 422,
                   "start before the end")  # fmt: skip
    assert_problem(c.get("/analytics/utilisation", params={"organization": "https://evil.example/x"}), 422)
    assert_problem(c.get("/analytics/underused", params={"since": "last tuesday"}), 422)
    assert_problem(c.get("/contests/contest/none/x"), 404)
    assert_problem(c.get("/entries/entry/none/x/mentors"), 404)
