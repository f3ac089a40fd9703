"""The usage and capacity readers: how rows name resources, and that the IRIs they mint are the catalogue's own."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from ingest.mapping import map_record, ref_iri
from ingest.readers import fixed_readers, reader_for
from ingest.readers.base import ReadItem
from ingest.records import IriRef, OrgRef, Origin, RecordRef, UsageRecord
from ingest.report import Reject
from tests.conftest import FIXTURES, SAMPLE

ROWS = FIXTURES / "golden" / "usage" / "rows"


def read(name: str, path: Path, source: str = "usage-test") -> list[ReadItem]:
    return list(fixed_readers()[name].read(path, source))


def test_files_are_detected_by_their_columns() -> None:
    assert reader_for(ROWS / "bookings.csv").name == "usage"
    assert reader_for(ROWS / "bookings.jsonl").name == "usage"
    assert reader_for(ROWS / "capacity.csv").name == "capacity"
    assert reader_for(SAMPLE / "usage-synthetic" / "bookings.csv").name == "usage"


def test_a_row_in_full() -> None:
    first = read("usage", ROWS / "bookings.csv")[0]
    assert first == UsageRecord(
        origin=Origin("usage-test", 2, "b-0001"),
        local_id="b-0001",
        resource=RecordRef("instrument", "uniquip-st-andrews", "st-andrews-0026"),
        start=datetime(2024, 3, 4, 9),
        end=datetime(2024, 3, 4, 12, 30),
        hours_booked=Decimal("3.50"),  # from start and end: the column is empty
        hours_used=Decimal("3.25"),
        status="completed",
        organization=OrgRef("Chemistry", OrgRef("University of St Andrews")),
        synthetic=True,
    )


def test_status_words_of_booking_systems_are_normalised() -> None:
    statuses = [r.status for r in read("usage", ROWS / "bookings.csv") if isinstance(r, UsageRecord)]
    assert statuses == ["completed", "no-show", "completed", "booked"]  # "done" is completed


def test_a_resource_by_source_and_local_id_gets_the_iri_its_catalogue_minted() -> None:
    """The point of naming a resource by source and local id: the usage record meets the catalogue's own node."""
    catalogue = read("uniquip", SAMPLE / "uniquip-st-andrews" / "equipment.csv", "uniquip-st-andrews")
    instrument = next(r for r in catalogue if not isinstance(r, Reject) and r.origin.record_id == "st-andrews-0026")
    beamlines = read("xas-beamlines", SAMPLE / "xas-beamlines" / "beamlines.csv", "xas-beamlines")
    beamline = next(r for r in beamlines if not isinstance(r, Reject) and r.origin.record_id == "ALS/10.3.2")
    usage = {r.local_id: r for r in read("usage", ROWS / "bookings.csv") if isinstance(r, UsageRecord)}
    assert ref_iri(usage["b-0001"].resource) == map_record(instrument).focus
    assert ref_iri(usage["b-0002"].resource) == map_record(beamline).focus
    assert usage["b-0003"].resource == IriRef("https://w3id.org/sharekg/id/facility/xas-beamlines/ALS")


def test_the_user_is_the_team_else_the_person_else_the_organisation() -> None:
    usage = {r.local_id: r for r in read("usage", ROWS / "bookings.csv") if isinstance(r, UsageRecord)}

    def user(local_id: str) -> str:
        (value,) = [o.value for _, p, o in map_record(usage[local_id]).triples if p.value.endswith("#user")]
        return value

    assert user("b-0001").endswith("/org/university-of-st-andrews/chemistry")
    assert user("b-0003") == "https://w3id.org/sharekg/id/team/contest-synthetic/t-03"
    assert user("b-0004") == "https://w3id.org/sharekg/id/person/contest-synthetic/m-07"


def test_bad_rows_name_line_record_and_column() -> None:
    problems = [p for p in read("usage", FIXTURES / "usage" / "bad.csv") if isinstance(p, Reject)]
    found = {(p.line, p.record_id, p.field) for p in problems}
    assert (1, None, "room") in found  # an unknown column is a warning, once
    assert (5, "b-04", "resource_source") in found
    assert (8, "b-07", "hours_used") in found  # a no-show used no hours
    assert (14, "b-01", "id") in found  # the repeated id; the first one loads
    loaded = [r.local_id for r in read("usage", FIXTURES / "usage" / "bad.csv") if isinstance(r, UsageRecord)]
    assert loaded == ["b-01", "b-17"]
