"""POST /ingest: keys, roles (a centre may load only its own organisation's records), bad files, size limit."""

from __future__ import annotations

import json

from tests.api.conftest import Service
from tests.api.test_service import assert_problem
from tests.conftest import FIXTURES

UNIQUIP = (FIXTURES / "uniquip" / "equipment.csv").read_bytes()
NSF = (FIXTURES / "nsf-mri" / "awards.jsonl").read_bytes()


def _upload(service: Service, key: str | None, name: str, data: bytes, **form: str) -> object:
    headers = {"X-API-Key": key} if key else {}
    return service.client.post("/ingest", files={"file": (name, data)}, data=form, headers=headers)


def test_writing_needs_a_valid_key(writable_service: Service) -> None:
    assert_problem(_upload(writable_service, None, "e.csv", UNIQUIP), 401, "X-API-Key")
    assert_problem(_upload(writable_service, "skg_not-a-key", "e.csv", UNIQUIP), 401, "not valid")


def test_admin_uploads_a_new_source(writable_service: Service) -> None:
    r = _upload(writable_service, writable_service.admin_key, "equipment.csv", UNIQUIP, source="more-equipment")
    body = r.json()  # type: ignore[attr-defined]
    assert r.status_code == 200 and body["status"] == "loaded" and body["loaded"] > 10  # type: ignore[attr-defined]
    assert "more-equipment" in writable_service.store.sources()


def test_a_centre_loads_its_own_records_into_its_own_source(writable_service: Service) -> None:
    r = _upload(writable_service, writable_service.centre_key, "equipment.csv", UNIQUIP)
    body = r.json()  # type: ignore[attr-defined]
    assert body["status"] == "loaded", body
    assert body["source"].startswith("university-of-st-andrews-")


def test_a_centre_cannot_change_another_organisations_records(writable_service: Service) -> None:
    before = writable_service.store.sources()
    r = _upload(writable_service, writable_service.centre_key, "awards.jsonl", NSF)
    problem = assert_problem(r, 403, "not University of St Andrews's", "nothing was written")
    assert problem["problems"] and problem["problems"][0]["field"] == "organization"  # type: ignore[index]
    assert_problem(
        _upload(writable_service, writable_service.centre_key, "e.csv", UNIQUIP, source="nsf-mri"),
        403,
        "may write only sources named",
    )
    assert writable_service.store.sources() == before


def test_bad_rows_are_listed_and_good_ones_load(writable_service: Service) -> None:
    bad = (FIXTURES / "uniquip" / "bad.csv").read_bytes()
    body = _upload(writable_service, writable_service.admin_key, "bad.csv", bad, format="uniquip").json()  # type: ignore[attr-defined]
    assert body["rejected"] > 0 and body["problems"]
    assert {"line", "record_id", "field", "reason"} <= set(body["problems"][0])


def test_unknown_format_and_oversized_bodies(writable_service: Service) -> None:
    assert_problem(_upload(writable_service, writable_service.admin_key, "e.csv", UNIQUIP, format="excel"), 422)
    big = b"ID,Name\n" + b"x,y\n" * 60_000
    assert_problem(_upload(writable_service, writable_service.admin_key, "big.csv", big), 413, "SHAREKG_MAX_BODY_BYTES")


# ---- issue 14: uploads that cannot wipe, crash or change another organisation's figures

HEADER, *ROWS = UNIQUIP.decode("utf-8").splitlines(keepends=True)


def _csv(rows: list[str]) -> bytes:
    return (HEADER + "".join(rows)).encode("utf-8")


def test_three_uploads_leave_one_graph_per_source(writable_service: Service) -> None:
    for n in (23, 20, 18):
        r = _upload(writable_service, writable_service.admin_key, "e.csv", _csv(ROWS[:n]), source="more-equipment")
        assert r.status_code == 200 and r.json()["status"] == "loaded"  # type: ignore[attr-defined]
    assert writable_service.store.collect_garbage() == 0


def test_an_upload_removing_most_of_a_source_is_refused_unless_allowed(writable_service: Service) -> None:
    key = writable_service.admin_key
    _upload(writable_service, key, "e.csv", UNIQUIP, source="more-equipment")
    before = writable_service.store.sources()
    problem = assert_problem(
        _upload(writable_service, key, "e.csv", _csv(ROWS[:2]), source="more-equipment"),
        409,
        "would remove 21 of 23 instruments",
        "allow_shrink",
    )
    assert problem["would_remove"]["Instrument"] == {"removed": 21, "published": 23}  # type: ignore[index]
    assert writable_service.store.sources() == before
    r = _upload(writable_service, key, "e.csv", _csv(ROWS[:2]), source="more-equipment", allow_shrink="true")
    assert r.json()["status"] == "loaded"  # type: ignore[attr-defined]


def test_empty_and_unreadable_uploads_fail_with_a_reason_not_a_crash(writable_service: Service) -> None:
    key = writable_service.admin_key
    _upload(writable_service, key, "e.csv", UNIQUIP, source="more-equipment")
    before = writable_service.store.sources()
    assert_problem(_upload(writable_service, key, "e.csv", HEADER.encode(), source="more-equipment"), 422, "no record")
    cr_header = HEADER.replace("Name", "Na\rme", 1).encode() + ROWS[0].encode()
    assert_problem(
        _upload(writable_service, key, "e.csv", cr_header, source="more-equipment", format="uniquip"),
        422,
        "carriage return",
    )
    utf16 = _csv(ROWS[:3]).decode().encode("utf-16")
    assert_problem(
        _upload(writable_service, key, "e.csv", utf16, source="more-equipment", format="uniquip"), 422, "UTF-16"
    )
    assert writable_service.store.sources() == before
    reports = [json.loads(p.read_text()) for p in writable_service.settings.reports_dir.glob("more-equipment-*.json")]
    assert reports and all(r["status"] in {"loaded", "failed"} for r in reports)


def test_deeply_nested_json_is_a_reject_over_http(writable_service: Service) -> None:
    deep = b'{"AwardID": ' + b"[" * 10_000 + b"]" * 10_000 + b"}\n"
    r = _upload(
        writable_service, writable_service.admin_key, "awards.jsonl", NSF + deep, format="nsf-mri", source="more-awards"
    )
    body = r.json()  # type: ignore[attr-defined]
    assert r.status_code == 200 and body["rejected"] == 1  # type: ignore[attr-defined]
    assert "nested too deeply" in body["problems"][0]["reason"]


def _instrument_of(service: Service, organization: str, same: bool) -> str:
    rows = service.store.query(  # type: ignore[attr-defined]
        "PREFIX skg: <https://w3id.org/sharekg/ns#> SELECT ?i ?o WHERE { ?i a skg:Instrument ; skg:hostedBy ?o }"
    )
    return next(r["i"].value for r in rows if r["o"].value.startswith(organization) == same)


def test_a_centre_cannot_upload_usage_of_another_organisations_resource(writable_service: Service) -> None:
    organization = "https://w3id.org/sharekg/id/org/university-of-st-andrews"
    own, foreign = (
        _instrument_of(writable_service, organization, True),
        _instrument_of(writable_service, organization, False),
    )
    head = "id,resource,organization,start,end,hours_used,status\n"
    rows = [
        f"u1,{own},University of St Andrews,2024-03-04T09:00,2024-03-04T11:00,2,completed\n",
        f"u2,{foreign},University of St Andrews,2024-03-05T09:00,2024-03-05T11:00,2,completed\n",
    ]
    before = writable_service.store.sources()
    r = _upload(
        writable_service, writable_service.centre_key, "usage.csv", (head + "".join(rows)).encode(), format="usage"
    )
    problem = assert_problem(r, 403, "nothing was written")
    assert [(p["record"], p["line"], p["field"]) for p in problem["problems"]] == [("u2", 3, "resource")]  # type: ignore[index,union-attr]
    assert foreign in problem["problems"][0]["reason"]  # type: ignore[index]
    assert writable_service.store.sources() == before
    r = _upload(writable_service, writable_service.centre_key, "usage.csv", (head + rows[0]).encode(), format="usage")
    assert r.json()["status"] == "loaded", r.json()  # type: ignore[attr-defined]
