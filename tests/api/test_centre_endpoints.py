"""Resource centres and the contest over HTTP, on the fixture graph plus usage and a contest uploaded through the API:
utilisation against demand, under-used assets, unmet needs, exports, impact, entries, evidence and mentors; who may
read the reports built on students' needs (a centre or admin key), and how much an anonymous caller may log."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.search import Embedder
from graph.search.crosslingual import read_terms
from tests.api.conftest import Service, start
from tests.api.test_service import assert_problem

WINDOW = {"since": "2026-01-01", "until": "2027-01-01"}
NMR_NEED = "We need NMR spectroscopy to characterise the organic compounds we synthesise"


def _upload(service: Service, name: str, data: str, fmt: str) -> None:
    r = service.client.post(
        "/ingest", files={"file": (name, data.encode())}, data={"format": fmt}, headers={"X-API-Key": service.admin_key}
    )
    assert r.status_code == 200 and r.json()["status"] == "loaded" and not r.json()["rejected"], r.text


def _first(service: Service, q: str, type_: str) -> dict[str, str]:
    items = service.client.get("/resources", params={"q": q, "type": type_}).json()["items"]
    return dict(items[0])


def admin(service: Service) -> dict[str, str]:
    return {"X-API-Key": service.admin_key}


@pytest.fixture
def centre(
    tmp_path: Path, template: Path, embedder: Embedder
) -> Iterator[tuple[Service, dict[str, str], dict[str, str]]]:
    # the same need three times from one client counts three times here (deduplication off), as three teams' would
    service = start(template, tmp_path / "data", embedder, max_body_bytes=200_000, demand_log_dedupe_hours=0)
    s = next(service)
    busy, idle = _first(s, "computer", "Instrument"), _first(s, "NMR", "Instrument")
    expert = _first(s, "NMR spectroscopy", "Expert")
    rows = ["id,resource,organization,team,start,end,hours_booked,hours_used,status"]
    for day in range(1, 29):
        day_ = f"2026-02-{day:02}"
        rows.append(f"b-{day},{busy['iri']},University of St Andrews,,{day_}T09:00,{day_}T17:00,8,8,completed")
    rows.append(f"b-99,{idle['iri']},Delaware State University,,2026-03-02T09:00,2026-03-02T10:00,1,0,no-show")
    _upload(s, "bookings.csv", "\n".join(rows) + "\n", "usage")
    contest = [
        {
            "kind": "contest",
            "id": "cup",
            "name": "Sharing Cup 2026",
            "start": "2026-03-01",
            "end": "2026-11-30",
            "tracks": [{"id": "research", "name": "Research"}],
        },
        {
            "kind": "topic",
            "id": "nmr",
            "contest": "cup",
            "title": "Organic NMR",
            "text": NMR_NEED,
            "posted_by": "Delaware State University",
        },
        {
            "kind": "team",
            "id": "t-1",
            "name": "Team One",
            "members": [{"id": "m-1", "name": "A Student"}],
            "organizations": ["University of St Andrews"],
        },
        {
            "kind": "entry",
            "id": "e-1",
            "title": "Molecules by NMR",
            "track": "research",
            "topic": "nmr",
            "team": "t-1",
            "need": NMR_NEED,
            "matched_resources": [idle["iri"]],
            "mentors": [expert["iri"]],
            "outputs": [
                {"id": "o-1", "kind": "paper", "title": "Small molecules", "year": 2026, "made_with": [idle["iri"]]}
            ],
        },
    ]
    _upload(s, "contest.jsonl", "\n".join(json.dumps(line) for line in contest) + "\n", "contest")
    team = {"name": "Team One", "contact": "a@example.org", "consent_to_log": True}
    for _ in range(3):
        s.client.post("/match", json={"text": NMR_NEED, "team": team})
    s.client.post("/match", json={"text": "a survey of loneliness among retired sailors"})
    yield s, busy, idle
    next(service, None)


def test_utilisation_against_capacity_and_demand(centre: tuple[Service, dict[str, str], dict[str, str]]) -> None:
    service, busy, idle = centre
    assets = {a["iri"]: a for a in service.client.get("/analytics/utilisation", params=WINDOW).json()["assets"]}
    assert assets[busy["iri"]]["hours_used"] == 28 * 8 and assets[busy["iri"]]["utilisation"] > 0
    assert assets[idle["iri"]]["hours_used"] == 0 and assets[idle["iri"]]["demand_needs"] >= 3


def test_underused_lists_the_idle_instrument_with_the_teams_that_asked(
    centre: tuple[Service, dict[str, str], dict[str, str]],
) -> None:
    service, _, idle = centre
    ranked = service.client.get("/analytics/underused", params=WINDOW, headers=admin(service)).json()
    top = ranked[0]
    assert top["asset"]["iri"] == idle["iri"] and "Team One" in top["teams"]
    assert top["needs"][0]["text"] == NMR_NEED
    exported = service.client.get("/analytics/underused", params={**WINDOW, "format": "csv"}, headers=admin(service))
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert len(rows) == len(ranked) + 1


def test_unmet_needs_and_charts(centre: tuple[Service, dict[str, str], dict[str, str]]) -> None:
    service, _, _ = centre
    report = service.client.get("/analytics/unmet-needs", params=WINDOW, headers=admin(service)).json()
    unmet = [n["text"] for c in report["clusters"] for n in c["needs"]]
    assert "a survey of loneliness among retired sailors" in unmet and NMR_NEED not in unmet
    svg = service.client.get("/analytics/unmet-needs/chart", params={**WINDOW, "format": "svg"}, headers=admin(service))
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
    png = service.client.get("/analytics/utilisation/chart", params={**WINDOW, "format": "png"})
    assert png.content.startswith(b"\x89PNG")
    csv_params = {**WINDOW, "format": "csv"}
    assert service.client.get("/analytics/unmet-needs", params=csv_params, headers=admin(service)).text.count("\n") >= 2


def test_the_words_of_logged_needs_the_glossary_could_not_read(writable_service: Service, tmp_path: Path) -> None:
    """Chinese needs whose words the glossary read character by character are counted per word, most asked first;
    the CSV is the terms file's own form, so that the operator fills in the English and gives it to the service."""
    s = writable_service
    needs = ["用X射线衍射表征钙钛矿薄膜", "钙钛矿太阳能电池的稳定性", "用色谱分离中药成分", NMR_NEED]
    for text in needs:
        assert s.client.post("/match", json={"text": text, "types": ["Instrument"], "k": 1}).status_code == 200
    report = s.client.get("/analytics/unknown-words", params=WINDOW, headers=admin(s)).json()
    assert report["considered"] == 4 and report["in_chinese"] == 3 and report["unknown"] == 2
    assert report["words"] == [
        {"word": "钙钛矿", "needs": 2, "example": needs[0]},
        {"word": "色谱", "needs": 1, "example": needs[2]},
    ]
    assert [
        w["word"] for w in s.client.get("/analytics/unknown-words", params={"top": 1}, headers=admin(s)).json()["words"]
    ] == ["钙钛矿"]
    before = s.client.get("/analytics/unknown-words", params={"until": "2026-01-01"}, headers=admin(s)).json()
    assert before["considered"] == 0 and before["words"] == []
    exported = s.client.get("/analytics/unknown-words", params={"format": "csv"}, headers=admin(s))
    assert exported.headers["content-disposition"] == 'attachment; filename="unknown-words.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["chinese"], r["english"], r["needs"]) for r in rows] == [("钙钛矿", "", "2"), ("色谱", "", "1")]
    for row, english in zip(rows, ["perovskite", "chromatography"], strict=True):
        row["english"] = english
    terms = tmp_path / "terms.csv"
    with terms.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert read_terms(terms) == {"钙钛矿": ("perovskite",), "色谱": ("chromatography",)}
    assert_problem(s.client.get("/analytics/unknown-words", params={"top": 0}, headers=admin(s)), 422)


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
    assert_problem(service.client.get(f"/entries/{cid}"), 404, "no entry")  # a contest is no entry
    suggest = {"text": "NMR spectroscopy of small molecules"}
    refused = service.client.post("/mentors/suggest", json={**suggest, "filters": {}})  # a field it does not read
    assert_problem(refused, 422)
    assert_problem(service.client.post("/mentors/suggest", json={**suggest, "team": "team/none/x"}), 422, "no team")
    fits = service.client.get(f"/resources/{idle['id']}/matches", headers=admin(service)).json()
    assert any(n["need_id"] == entry["iri"] for n in fits["needs"])  # the entry's stated need


def test_centre_errors(writable_service: Service) -> None:
    c = writable_service.client
    assert_problem(
        c.get("/analytics/utilisation", params={"since": "2027-01-01", "until": "2026-01-01"}),
        422,
        "start before the end",
    )
    assert_problem(c.get("/analytics/utilisation", params={"organization": "https://evil.example/x"}), 422)
    key = {"X-API-Key": writable_service.admin_key}
    assert_problem(c.get("/analytics/underused", params={"since": "last tuesday"}, headers=key), 422)
    assert_problem(c.get("/contests/contest/none/x"), 404)
    assert_problem(c.get("/entries/entry/none/x/mentors"), 404)


READERS_ONLY = [
    "/analytics/unmet-needs",
    "/analytics/unmet-needs?format=csv",
    "/analytics/unmet-needs/chart",
    "/analytics/underused",
    "/analytics/underused?format=csv",
    "/analytics/unknown-words",
    "/analytics/unknown-words?format=csv",
]


def test_reports_of_students_needs_need_a_centre_or_admin_key(service: Service) -> None:
    rid = _first(service, "NMR", "Instrument")["id"]
    for path in [*READERS_ONLY, f"/resources/{rid}/matches"]:
        problem = assert_problem(service.client.get(path), 401)
        assert "X-API-Key" in problem["detail"], path
        assert_problem(service.client.get(path, headers={"X-API-Key": "skg_not-a-key"}), 401)
        assert service.client.get(path, headers={"X-API-Key": service.centre_key}).status_code in (200, 403), path
        assert service.client.get(path, headers=admin(service)).status_code == 200, path
    # utilisation stays public: hours, capacity and counts of needs, never a need's text or who asked
    assert service.client.get("/analytics/utilisation").status_code == 200
    assert service.client.get("/analytics/utilisation/chart").status_code == 200


def test_a_centre_key_sees_its_own_organisations_assets_only(writable_service: Service) -> None:
    s = writable_service
    centre = {"X-API-Key": s.centre_key}
    for text in (NMR_NEED, "an FTIR spectrometer such as a Nicolet 6700 for our chemistry project"):
        assert s.client.post("/match", json={"text": text, "types": ["Instrument"]}).status_code == 200
    everyone = s.client.get("/analytics/underused", headers=admin(s)).json()
    own = s.client.get("/analytics/underused", headers=centre).json()
    st_andrews = s.client.get("/analytics/utilisation", params={"organization": "University of St Andrews"}).json()
    assert own and {u["asset"]["iri"] for u in own} <= {a["iri"] for a in st_andrews["assets"]}
    assert len(own) < len(everyone)
    narrowed = s.client.get(
        "/analytics/underused", params={"organization": "Delaware State University"}, headers=centre
    ).json()
    assert narrowed == []  # another organisation's assets are left out, not shown
    nmr, ours = _first(s, "NMR", "Instrument"), _first(s, "Nicolet", "Instrument")
    assert_problem(s.client.get(f"/resources/{nmr['id']}/matches", headers=centre), 403, "own organisation")
    fits = s.client.get(f"/resources/{ours['id']}/matches", headers=centre).json()
    assert fits["needs"] and fits["label"] == ours["label"]


def test_a_control_character_in_organization_is_refused_naming_it(service: Service) -> None:
    for path in ("/analytics/utilisation", "/analytics/underused"):
        r = service.client.get(path, params={"organization": "University\x07 of St Andrews"}, headers=admin(service))
        problem = assert_problem(r, 422, "organization")
        assert problem["errors"][0]["field"] == "organization"


def test_an_anonymous_flood_is_answered_but_logs_within_its_bounds_and_keeps_no_personal_data(
    tmp_path: Path, template: Path, embedder: Embedder
) -> None:
    for s in start(template, tmp_path / "data", embedder, demand_log_burst=3, demand_log_max_chars=100):
        answers = []
        for i in range(12):  # distinct 10,000-character needs, each with a made-up team and e-mail, no consent
            text = (f"flood {i} " + "NMR spectroscopy of organic compounds " * 300)[:10_000]
            team = {"name": f"Team Flood {i}", "contact": f"flood{i}@example.org"}
            answers.append(s.client.post("/match", json={"text": text, "team": team}))
        assert all(a.status_code == 200 and a.json()["results"] for a in answers)
        assert [a.headers["X-Demand-Log"] for a in answers] == ["logged"] * 3 + ["rate-limited"] * 9
        assert [a.json()["need_id"] is None for a in answers] == [False] * 3 + [True] * 9
        repeat = s.client.post("/match", json={"text": answers[0].json()["need"]})
        assert (
            repeat.headers["X-Demand-Log"] == "duplicate" and repeat.json()["need_id"] == answers[0].json()["need_id"]
        )
        with sqlite3.connect(s.settings.demand_path) as db:
            rows = db.execute("SELECT length(text), team, organization, contact, model FROM needs").fetchall()
        db.close()
        assert rows == [(100, None, None, None, embedder.name)] * 3
        report = s.client.get("/analytics/unmet-needs", headers=admin(s)).text
        assert "Team Flood" not in report and "example.org" not in report
