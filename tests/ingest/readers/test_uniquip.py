"""Golden tests of the Uniquip reader on real St Andrews rows."""

from __future__ import annotations

from pathlib import Path

from ingest.readers.uniquip import UniquipReader
from ingest.records import Contact, Instrument, OrgRef, Origin, Place
from ingest.report import Reject
from tests.conftest import FIXTURES, shared_data

ST_ANDREWS = OrgRef("University of St Andrews")


def read(path: Path) -> list[Instrument | Reject]:
    return list(UniquipReader().read(path, "uniquip-test"))  # type: ignore[arg-type]


def test_golden_rows() -> None:
    items = read(FIXTURES / "uniquip" / "equipment.csv")
    assert all(isinstance(i, Instrument) for i in items)
    assert len(items) == 23
    assert items[1] == Instrument(
        origin=Origin("uniquip-test", 3, "st-andrews-0002"),
        local_id="st-andrews-0002",
        name="INDIGO2 COMPUTER RJ",
        organization=OrgRef("Maths/Creem", ST_ANDREWS),
        place=Place(city="St Andrews"),
        contact=Contact(
            email="maths@st-andrews.ac.uk", phone="441334 463744", url="https://www.st-andrews.ac.uk/maths/"
        ),
    )
    names = {i.local_id: i.name for i in items if isinstance(i, Instrument)}
    assert names["st-andrews-0200"] == "QSTAR XL SYSTEM"
    assert names["st-andrews-0403"] == "Nicolet 6700 Spectro"
    by_id = {i.local_id: i for i in items if isinstance(i, Instrument)}
    assert by_id["st-andrews-0399"].organization == OrgRef("Environmental Evolution/Sea Mammal/SMRU", ST_ANDREWS)


def test_bad_rows_are_reported_and_good_rows_still_load() -> None:
    items = read(FIXTURES / "uniquip" / "bad.csv")
    problems = [(p.line, p.record_id, p.field, p.severity) for p in items if isinstance(p, Reject)]
    assert problems == [
        (1, None, "Booking Notes", "warning"),
        (3, "st-andrews-0003", "Contact Email", "error"),
        (4, "st-andrews-0004", "Name", "error"),
        (5, None, None, "error"),
        (6, "st-andrews-0006", None, "error"),
        (7, "st-andrews-0007", "Type", "error"),
        (9, "st-andrews-0009", "Department", "error"),
    ]
    loaded = [i.local_id for i in items if isinstance(i, Instrument)]
    assert loaded == ["st-andrews-0002", "st-andrews-0008"]
    reasons = {p.line: p.reason for p in items if isinstance(p, Reject)}
    assert "unclosed quote" in reasons[5]
    assert "UTF-8" in reasons[9]


def test_whole_register_reads_without_problems() -> None:
    items = read(shared_data("uniquip-st-andrews") / "equipment.csv")
    assert len(items) == 623
    assert not [i for i in items if isinstance(i, Reject)]
