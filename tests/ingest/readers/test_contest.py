"""The contest reader: ids defined before use, references to other sources, one entry in full."""

from __future__ import annotations

from pathlib import Path

from ingest.readers import fixed_readers, reader_for
from ingest.readers.base import ReadItem
from ingest.records import ChallengeTopic, Contest, Entry, IriRef, OrgRef, Output, RecordRef, Team
from ingest.report import Reject
from tests.conftest import FIXTURES, SAMPLE

ROWS = FIXTURES / "golden" / "contest" / "rows" / "contest.jsonl"


def read(path: Path) -> list[ReadItem]:
    return list(fixed_readers()["contest"].read(path, "contest-test"))


def test_detected_by_the_kind_of_its_first_line() -> None:
    assert reader_for(ROWS).name == "contest"
    assert reader_for(SAMPLE / "contest-synthetic" / "contest.jsonl").name == "contest"


def test_one_record_per_line_with_tracks_inside_the_contest() -> None:
    items = read(ROWS)
    assert [type(i) for i in items] == [Contest, ChallengeTopic, Team, Entry, Entry]
    contest, topic = items[0], items[1]
    assert isinstance(contest, Contest) and [t.local_id for t in contest.tracks] == ["research", "innovation"]
    assert isinstance(topic, ChallengeTopic)
    assert topic.posted_by == OrgRef("Physics & Astronomy", OrgRef("University of St Andrews"))


def test_an_entry_names_resources_and_mentors_of_other_sources() -> None:
    entry = read(ROWS)[3]
    assert isinstance(entry, Entry)
    assert entry.matched == (
        RecordRef("instrument", "nsf-mri-instruments", "0454999"),
        RecordRef("facility", "xas-beamlines", "ALS"),
        IriRef("https://w3id.org/sharekg/id/dataset/datafinder-datasets/MuMu"),
    )
    assert entry.mentors == (
        RecordRef("expert", "nsf-pi-experts", "nsf-pi-00001"),
        IriRef("https://w3id.org/sharekg/id/expert/openalex-experts/A5000180362"),
    )
    assert entry.outputs[0] == Output(
        local_id="o-01",
        title="Arctic aerosol profiles from a student lidar",
        kind="paper",
        year=2024,
        doi="10.5555/example.1",
        made_with=(RecordRef("instrument", "nsf-mri-instruments", "0454999"),),
    )


def test_a_line_that_is_rejected_defines_nothing() -> None:
    """A contest rejected for its homepage leaves its tracks undefined, so the entry after it is rejected too."""
    problems = {p.line: p for p in read(FIXTURES / "contest" / "damaged.jsonl") if isinstance(p, Reject)}
    assert problems[25].field == "homepage"
    assert problems[26].field == "track" and "'late'" in problems[26].reason
    assert problems[3].field == "id" and "first given at line 1" in problems[3].reason
