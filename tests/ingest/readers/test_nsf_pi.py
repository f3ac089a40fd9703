"""Golden tests of the NSF investigator reader on real researcher lines of nsf-pi-experts."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest

from graph.errors import InputError
from ingest.readers.base import ReadItem, head_text
from ingest.readers.nsf_pi import NsfInvestigatorReader
from ingest.records import Expert, Grant, GrantRef, Organization, OrgRef, Origin, Place, Role
from ingest.report import Reject
from tests.conftest import FIXTURES, shared_data

T = TypeVar("T")
SOURCE = "nsf-pi-test"
GOLDEN = FIXTURES / "nsf-pi" / "experts.jsonl"


def read(path: Path) -> list[ReadItem]:
    return list(NsfInvestigatorReader().read(path, SOURCE))


def of_type(items: list[ReadItem], kind: type[T]) -> list[T]:
    return [i for i in items if isinstance(i, kind)]


def test_golden_rows_yield_experts_distinct_grants_and_organizations() -> None:
    items = read(GOLDEN)
    assert Counter(type(i).__name__ for i in items) == {"Expert": 11, "Grant": 20, "Organization": 12}
    experts = of_type(items, Expert)
    assert [e.local_id for e in experts] == [
        "nsf-pi-00001",
        "nsf-pi-00031",
        "nsf-pi-00076",
        "nsf-pi-00321",
        "nsf-pi-00414",
        "nsf-pi-00457",
        "nsf-pi-00493",
        "nsf-pi-00534",
        "nsf-pi-00671",
        "nsf-pi-01415",
        "nsf-pi-01488",
    ]
    assert [e.origin.line for e in experts] == list(range(1, 12))
    assert all(e.works == () and e.orcid is None for e in experts)


def test_expert_with_name_variants_and_no_state() -> None:
    experts = {e.local_id: e for e in of_type(read(GOLDEN), Expert)}
    bios = "Bermuda Institute of Ocean Sciences (BIOS), Inc."
    assert experts["nsf-pi-00076"] == Expert(
        origin=Origin(SOURCE, 3, "nsf-pi-00076"),
        local_id="nsf-pi-00076",
        name="Andrew Peters",
        alt_names=("Andrew J Peters",),
        affiliations=(OrgRef(bios),),
        place=Place(city="St. George's GE01"),
        external_ids=("nsf-person:000130501",),
        keywords=("Geosciences", "Ocean Sciences"),
        roles=tuple(Role(GrantRef("nsf", a), "PI") for a in ("1757475", "1735504", "0825701")),
    )


def test_every_expert_key_fields() -> None:
    experts = {e.local_id: e for e in of_type(read(GOLDEN), Expert)}
    us = "United States"
    expected = {
        "nsf-pi-00001": (
            ("Smithsonian Institution", "Ecohealth Alliance inc."),
            Place("Arlington", "VA", us),
        ),
        "nsf-pi-00031": (("University of Hawaii",), Place("Honolulu", "HI", us)),
        "nsf-pi-00321": (("International Science Council",), Place("Paris")),
        "nsf-pi-00414": (("Wiley College",), Place("Marshall", "TX", us)),
        "nsf-pi-00457": (("Cornell University", "CHIRAL PHOTONICS, INC"), Place("Ithaca", "NY", us)),
        "nsf-pi-00493": (("University of Delaware", "University of Hawaii"), Place("Newark", "DE", us)),
        "nsf-pi-00534": (("Florida International University",), Place("Miami", "FL", us)),
        "nsf-pi-00671": (("University of Arizona",), Place("Tucson", "AZ", us)),
        "nsf-pi-01415": (("Wiley College",), Place("Marshall", "TX", us)),
        "nsf-pi-01488": (("Xigen LLC",), Place("Rockville", "MD", us)),
    }
    for local_id, (affiliations, place) in expected.items():
        assert experts[local_id].affiliations == tuple(OrgRef(a) for a in affiliations), local_id
        assert experts[local_id].place == place, local_id
    assert experts["nsf-pi-00671"].external_ids == ()
    assert experts["nsf-pi-01415"].alt_names == ("Walter J Shumate",)
    assert experts["nsf-pi-00457"].keywords == (
        "Mathematical and Physical Sciences",
        "Materials Research",
        "Technology, Innovation and Partnerships",
        "Translational Impacts",
    )
    assert experts["nsf-pi-00493"].roles == (
        Role(GrantRef("nsf", "1736030"), "co-PI"),
        Role(GrantRef("nsf", "0826650"), "PI"),
    )


def test_fellowship_awarded_to_the_person_is_not_an_organization() -> None:
    items = read(GOLDEN)
    culley = next(e for e in of_type(items, Expert) if e.local_id == "nsf-pi-00031")
    assert culley.affiliations == (OrgRef("University of Hawaii"),)
    assert not [o for o in of_type(items, Organization) if "Culley" in o.name]


def test_grants_are_yielded_once_with_their_text() -> None:
    grants = {g.ref.award_id: g for g in of_type(read(GOLDEN), Grant)}
    assert len(grants) == 20
    wiley = grants["1036169"]
    assert wiley.origin == Origin(SOURCE, 5, "1036169")
    assert wiley.title == "Improving The Mathamatics Education At Wiley College"
    assert wiley.start == date(2010, 9, 1)
    assert wiley.amount_usd == 229500
    assert wiley.url == "https://www.nsf.gov/awardsearch/showAward?AWD_ID=1036169"
    assert wiley.programme == ("Human Resource Development", "HIST BLACK COLLEGES AND UNIV")
    assert wiley.abstract is not None and wiley.abstract.startswith("Wiley College, a 137 year old, four-year")
    assert grants["0826650"].origin.line == 2  # shared with line 7, yielded at its first mention
    assert grants["0818147"].amount_usd is None  # NSF records 0 dollars
    assert grants["1736030"].programme == ("EPSCoR Research Infrastructure",)  # no division
    assert grants["0826950"].programme == ("Social and Economic Sciences",)  # no program names
    assert "I450" not in grants["0839981"].programme  # fund codes are not programme names
    assert grants["0839981"].programme[:2] == (
        "Research, Innovation, Synergies and Education",
        "Population & Community Ecology",
    )
    mri = grants["0722579"]
    assert mri.programme == (
        "Chemical, Bioengineering, Environmental and Transport Systems",
        "MAJOR RESEARCH INSTRUMENTATION",
    )


def test_organizations_follow_the_experts_with_the_current_place() -> None:
    organizations = of_type(read(GOLDEN), Organization)
    by_name = {o.name: o for o in organizations}
    assert len(by_name) == len(organizations) == 12
    assert by_name["Smithsonian Institution"] == Organization(
        Origin(SOURCE, 1, "Smithsonian Institution"),
        "Smithsonian Institution",
        place=Place("Arlington", "VA", "United States"),
    )
    assert by_name["Ecohealth Alliance inc."].place == Place()
    assert by_name["Xigen LLC"].place == Place("Rockville", "MD", "United States")
    assert by_name["University of Hawaii"].place == Place()


def test_bad_rows_are_reported_and_good_rows_still_load() -> None:
    items = read(FIXTURES / "nsf-pi" / "experts_bad.jsonl")
    problems = [(p.line, p.record_id, p.field) for p in of_type(items, Reject)]
    assert problems == [
        (2, None, None),
        (3, "nsf-pi-01415", "awards[1].amount_usd"),
        (4, "nsf-pi-00671", "name"),
        (6, "nsf-pi-00321", "awards[0].award_id"),
        (7, "nsf-pi-00457", "awards[1].role"),
        (8, "nsf-pi-00031", "awards[1].start_date"),
        (9, "nsf-pi-00534", "awards"),
        (10, None, None),
        (11, "nsf-pi-00493", "state_code"),
        (12, "nsf-pi-00076", "awards[2].title"),
    ]
    assert all(p.severity == "error" and p.source == SOURCE for p in of_type(items, Reject))
    assert [e.local_id for e in of_type(items, Expert)] == ["nsf-pi-00414", "nsf-pi-01488"]
    assert sorted(g.ref.award_id for g in of_type(items, Grant)) == [
        "0808957",
        "0809278",
        "0837875",
        "1036169",
    ]
    assert [o.name for o in of_type(items, Organization)] == ["Wiley College", "Xigen LLC"]
    reasons = {p.line: p.reason for p in of_type(items, Reject)}
    assert "invalid JSON" in reasons[2]
    assert "'lots'" in reasons[3]
    assert "7-digit" in reasons[6]
    assert "JSON object" in reasons[10]


def test_sniff_and_wrong_inputs(tmp_path: Path) -> None:
    reader = NsfInvestigatorReader()
    assert reader.sniff(GOLDEN, head_text(GOLDEN))
    other = FIXTURES / "openalex" / "authors.jsonl"
    assert not reader.sniff(other, head_text(other))
    with pytest.raises(InputError, match="not an NSF investigator file"):
        read(other)
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "missing.jsonl")


def test_whole_file_matches_source_counts() -> None:
    items = read(shared_data("nsf-pi-experts") / "experts.jsonl")
    assert not of_type(items, Reject)
    experts = of_type(items, Expert)
    assert len(experts) == 1500
    assert len(of_type(items, Grant)) == 3351
    assert len(of_type(items, Organization)) == 383  # 385 institution names, 2 of them a fellow's own name
    roles = Counter(r.role for e in experts for r in e.roles)
    assert roles == {"PI": 2410, "co-PI": 1181}
    assert sum(1 for e in experts if e.external_ids) == 939
    # SOURCE.md: 274 with more than one institution, one of them counting a fellow's own name as one
    assert sum(1 for e in experts if len(e.affiliations) > 1) == 273
