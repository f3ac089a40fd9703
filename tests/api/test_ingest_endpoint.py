"""POST /ingest: keys, roles (a centre may load only its own organisation's records), bad files, size limit."""

from __future__ import annotations

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
    assert_problem(_upload(writable_service, writable_service.centre_key, "e.csv", UNIQUIP, source="nsf-mri"), 403,
                   "may write only sources named")  # fmt: skip
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
