"""XAS beamline and light-source readers on real rows: golden records, rejects, the whole shared files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TypeVar

import pytest

from graph.errors import InputError
from ingest.readers.base import ReadItem
from ingest.readers.beamlines import ACCESS, BeamlineReader, LightSourceReader
from ingest.records import Contact, Facility, Instrument, Origin, Place
from ingest.report import Reject
from tests.conftest import FIXTURES, shared_data

T = TypeVar("T")
HERE = FIXTURES / "xas-beamlines"
SOURCE = "xas-beamlines"


def beamlines(path: Path) -> list[ReadItem]:
    return list(BeamlineReader().read(path, SOURCE))


def facilities(path: Path) -> list[ReadItem]:
    return list(LightSourceReader().read(path, SOURCE))


def of_type(items: list[ReadItem], kind: type[T]) -> list[T]:
    return [i for i in items if isinstance(i, kind)]


def problems(items: list[ReadItem]) -> list[tuple[int | None, str | None, str | None, str]]:
    return [(p.line, p.record_id, p.field, p.severity) for p in of_type(items, Reject)]


def test_beamline_exact_record() -> None:
    items = beamlines(HERE / "beamlines.csv")
    assert items[0] == Instrument(
        origin=Origin(SOURCE, 2, "ALS/11.0.2"),
        local_id="ALS/11.0.2",
        name="ALS 11.0.2",
        description="micro-XANES, PES in non-UHV environment or XANES microscopy",
        instrument_type="beamline",
        techniques=("micro-XANES", "PES in non-UHV environment", "XANES microscopy"),
        facility="ALS",
        place=Place(country="USA"),
        homepage="http://www-als.lbl.gov/index.php/beamlines/beamlines-directory/128-1102.html",
        status="Operational",
        access="by proposal (user office)",
        specs=(
            ("energy range (keV)", "0.1 - 2 or 0.13 - 2"),
            ("beam size (mm unless stated)", "10 μm or 20 nm"),
            ("flux (photons/s)", "10^12 - 10^13 or 10^9"),
            ("region", "Americas"),
        ),
    )


BEAMLINES = [
    (
        2,
        "ALS/11.0.2",
        "ALS 11.0.2",
        "ALS",
        "Operational",
        ("micro-XANES", "PES in non-UHV environment", "XANES microscopy"),
    ),
    (
        3,
        "ALS/7.0.1",
        "ALS 7.0.1",
        "ALS",
        "Operational",
        ("Surface science", "XANES and PES microscopy", "PES", "XANES"),
    ),
    (
        4,
        "APS/11-ID-D",
        "APS 11-ID-D",
        "APS",
        "Operational",
        (
            "General purpose XAFS in chemistry",
            "materials science",
            "geoscience and physics",
            "DAFS",
            "time resolved XAFS",
        ),
    ),
    (
        5,
        "APS/13-ID-C,D",
        "APS 13-ID-C,D (GSECARS)",
        "APS",
        "Operational",
        ("General purpose XAFS", "high pressure", "geoscience"),
    ),
    (6, "CAMD/DCM", "CAMD DCM", "CAMD", "Operational", ("General purpose",)),
    (7, "NSLS/U4B", "NSLS U4B", "NSLS", "Operational", ("XMCD", "PES", "XAS", "Res. Mag. Scattering")),
    (8, "SSRL/14-3", "SSRL 14-3", "SSRL", "Available during 2010", ("General purpose",)),
    (9, "RRCAT/BL-8", "RRCAT BL-8", "RRCAT", "Operational", ("Dispersive XAFS",)),
    (
        11,
        "SLRI/BL4",
        "SLRI BL4",
        "SLRI",
        "Planned/ Construction",
        ("dispersive XAS", "time resolved", "high P/T"),
    ),
    (12, "SSRC/EXAFS", "SSRC EXAFS", "SSRC", None, ()),
    (
        13,
        "Diamond/I20",
        "Diamond I20 (LOLA: X-ray spectroscopy)",
        "Diamond",
        "Commissioning",
        ("XAFS and XES", "Dispersive XAFS"),
    ),
    (14, "HZB/mySpot", "HZB mySpot", "HZB", "Operational", ("microXAS",)),
    (15, "MAX IV/D1011", "MAX IV D1011", "MAX IV", "Operational", ("Surface science", "XMCD", "PES")),
    (16, "SRC/CSRF Double crystal", "SRC CSRF Double crystal", "SRC", None, ("general purpose",)),
]

SPECS = {
    "CAMD/DCM": (("energy range (keV)", "0.9 - 20"), ("region", "Americas")),  # "." for beam size and flux
    "NSLS/U4B": (
        ("energy range (keV)", "0.02 - 1.2"),
        ("flux (photons/s)", "1 x 10^11"),
        ("region", "Americas"),
    ),
    "SSRL/14-3": (("energy range (keV)", "2 - 5"), ("region", "Americas")),  # empty beam size and flux
    "RRCAT/BL-8": (
        ("energy range (keV)", "5 -20"),
        ("beam size (mm unless stated)", "0.5 x 0.25"),
        ("region", "Asia"),
    ),  # flux "-"
    "SSRC/EXAFS": (("region", "Asia"),),
}


def test_beamlines_golden_key_fields() -> None:
    items = beamlines(HERE / "beamlines.csv")
    instruments = of_type(items, Instrument)
    assert [(i.origin.line, i.local_id, i.name, i.facility, i.status, i.techniques) for i in instruments] == BEAMLINES
    assert all(i.instrument_type == "beamline" and i.access == ACCESS for i in instruments)
    assert {i.local_id: i.specs for i in instruments if i.local_id in SPECS} == SPECS
    ssrc = next(i for i in instruments if i.local_id == "SSRC/EXAFS")
    assert (ssrc.description, ssrc.status, ssrc.place) == (None, None, Place(country="Russia"))
    src = instruments[-1]
    assert src.homepage is None and src.origin.record_id == "SRC/CSRF Double crystal"  # bare CR collapsed
    slri = next(i for i in instruments if i.local_id == "SLRI/BL4")
    assert slri.homepage == (
        "http://www.slri.or.th/en/index.php?option=com_content&amp;view=article&amp;id=69&amp;Itemid=89"
    )


def test_real_doubled_scheme_website_is_rejected() -> None:
    items = beamlines(HERE / "beamlines.csv")
    assert problems(items) == [(10, "RitsSR/BL-10", "website", "error")]
    assert "http://http://www.ritsumei.ac.jp" in of_type(items, Reject)[0].reason


def test_facility_exact_record() -> None:
    items = facilities(HERE / "facilities.csv")
    assert items[7] == Facility(
        origin=Origin(SOURCE, 9, "HZB"),
        local_id="HZB",
        name="BESSY II - Helmholtz-Zentrum Berlin",
        alt_names=("HZB",),
        kind="synchrotron",
        place=Place(
            country="Germany",
            address="Helmholtz-Zentrum Berlin für Materialien und Energie; Elektronenspeicherring BESSY II; "
            "Albert-Einstein-Str.15; 12489 Berlin; Germany",
        ),
        homepage="http://www.helmholtz-berlin.de/",
        contact=Contact(email="info@helmholtz-berlin.de", phone="+49 (0)30 8062-12999"),  # source: %20info@…
        active=True,
        access="by proposal (user office)",
    )


FACILITIES = [
    (2, "ALBA", "ALBA", (), "synchrotron", True, "Spain", "http://www.cells.es/", "asanchez@cells.es"),
    (
        3,
        "ALS",
        "Advanced Light Source",
        ("ALS",),
        "synchrotron",
        True,
        "USA",
        "http://www-als.lbl.gov/",
        "alsuser@lbl.gov",
    ),
    (
        4,
        "APS",
        "Advanced Photon Source",
        ("APS",),
        "synchrotron",
        True,
        "USA",
        "http://www.aps.anl.gov",
        "apsuser@aps.anl.gov",
    ),
    (
        5,
        "AS",
        "Australian Synchrotron",
        ("AS",),
        "synchrotron",
        True,
        "Australia",
        "http://www.synchrotron.org.au",
        "info@synchrotron.org.au",
    ),
    (
        6,
        "CAMD",
        "Center for Advanced Microstructures and Devices",
        ("CAMD",),
        "synchrotron",
        True,
        "USA",
        "http://www.camd.lsu.edu/",
        "scott@lsu.edu",
    ),
    (
        7,
        "CLS",
        "Canadian Light Source",
        ("CLS",),
        "synchrotron",
        True,
        "Canada",
        "http://www.lightsource.ca",
        None,
    ),
    (
        8,
        "Diamond",
        "Diamond Light Source",
        ("Diamond",),
        "synchrotron",
        True,
        "United Kingdom",
        "http://www.diamond.ac.uk/",
        "dlsenquiries@diamond.ac.uk",
    ),
    (
        9,
        "HZB",
        "BESSY II - Helmholtz-Zentrum Berlin",
        ("HZB",),
        "synchrotron",
        True,
        "Germany",
        "http://www.helmholtz-berlin.de/",
        "info@helmholtz-berlin.de",
    ),
    (
        10,
        "MAX IV",
        "MAX IV Laboratory",
        ("MAX IV",),
        "synchrotron",
        True,
        "Sweden",
        "http://www.maxlab.lu.se/",
        "maxlab@maxlab.lu.se",
    ),
    (
        11,
        "MSRF",
        "Medical Synchrotron Radiation Facility",
        ("MSRF",),
        "synchrotron",
        True,
        "Japan",
        None,
        "kokusai@nirs.go.jp",
    ),
    (
        12,
        "NSLS",
        "National Synchrotron Light Source",
        ("NSLS",),
        "synchrotron",
        False,
        "USA",
        "http://www.bnl.gov/ps/",
        "nslsuser@bnl.gov",
    ),
    (
        13,
        "SRC",
        "Synchrotron Radiation Center",
        ("SRC",),
        "synchrotron",
        False,
        "USA",
        "http://www.src.wisc.edu",
        "srcadmin@src.wisc.edu",
    ),
    (
        14,
        "TSRF",
        "Tohoku Synchrotron Radiation Facility",
        ("TSRF",),
        "synchrotron",
        True,
        "Japan",
        "http://www.lns.tohoku.ac.jp/index.php",
        "koho@LNS.tohoku.ac.jp",
    ),
    (
        15,
        "SwissFEL",
        "Swiss Free Electron Laser",
        ("SwissFEL",),
        "free-electron laser",
        True,
        "Switzerland",
        "http://www.psi.ch/swissfel/swissfel",
        None,
    ),
]


def test_facilities_golden_key_fields() -> None:
    items = facilities(HERE / "facilities.csv")
    assert problems(items) == []
    found = of_type(items, Facility)
    assert [
        (
            f.origin.line,
            f.local_id,
            f.name,
            f.alt_names,
            f.kind,
            f.active,
            f.place.country,
            f.homepage,
            f.contact.email,
        )
        for f in found
    ] == FACILITIES
    by_id = {f.local_id: f for f in found}
    assert by_id["TSRF"].place.address is None
    assert by_id["AS"].place.address == "800 Blackburn Road; Clayton, Vic 3168; Australia"  # trailing NBSP gone
    assert by_id["SwissFEL"].contact == Contact()
    assert all(f.operator is None and f.access == ACCESS for f in found)


def test_beamlines_link_to_facilities_of_the_same_source() -> None:
    linked = {i.facility for i in of_type(beamlines(HERE / "beamlines.csv"), Instrument)}
    ids = {f.local_id for f in of_type(facilities(HERE / "facilities.csv"), Facility)}
    assert linked & ids == {"ALS", "APS", "CAMD", "Diamond", "HZB", "MAX IV", "NSLS", "SRC"}
    assert linked - ids == {"RRCAT", "SLRI", "SSRC", "SSRL"}  # not in the facilities fixture: fine


def test_bad_beamline_rows_become_problems_and_valid_rows_load() -> None:
    items = beamlines(HERE / "beamlines-bad.csv")
    assert problems(items) == [
        (1, None, "notes", "warning"),  # unknown column
        (3, "APS/11-ID-D", "website", "error"),  # no scheme
        (4, None, "id", "error"),  # id emptied
        (5, "NSLS/U4B", None, "error"),  # website left out: one field short
        (7, None, None, "error"),  # closing quote of the facility name removed
    ]
    assert [i.local_id for i in of_type(items, Instrument)] == ["ALS/11.0.2", "HZB/mySpot"]


def test_bad_facility_rows_become_problems_and_valid_rows_load() -> None:
    items = facilities(HERE / "facilities-bad.csv")
    assert problems(items) == [
        (3, "APS", "active", "error"),  # "yes and no"
        (4, "CLS", "contact_email", "error"),  # "user office"
        (5, "NSLS", "full_name", "error"),  # emptied
        (6, "SRC", "website", "error"),  # no scheme
    ]
    assert [f.local_id for f in of_type(items, Facility)] == ["ALS", "TSRF"]


def test_unreadable_inputs_raise(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        beamlines(tmp_path / "beamlines.csv")
    with pytest.raises(InputError, match="'facility_id'"):
        facilities(HERE / "beamlines.csv")
    with pytest.raises(InputError, match="'id'"):
        beamlines(HERE / "facilities.csv")


def test_sniff_tells_the_two_files_apart() -> None:
    heads = {name: (HERE / name).read_text(encoding="utf-8")[:4096] for name in ("beamlines.csv", "facilities.csv")}
    assert [BeamlineReader().sniff(HERE / n, h) for n, h in heads.items()] == [True, False]
    assert [LightSourceReader().sniff(HERE / n, h) for n, h in heads.items()] == [False, True]
    assert not BeamlineReader().sniff(Path("beamlines.tsv"), heads["beamlines.csv"])


def test_whole_shared_files_match_source_counts() -> None:
    folder = shared_data("xas-beamlines")
    lines = beamlines(folder / "beamlines.csv")
    assert [(p.record_id, p.field) for p in of_type(lines, Reject)] == [("RitsSR/BL-10", "website")]
    instruments = of_type(lines, Instrument)
    assert len(instruments) == 180  # 181 beamlines, one rejected for its doubled "http://http://"
    regions = Counter(dict(i.specs)["region"] for i in instruments)
    assert regions == {"Americas": 64, "Asia": 63, "Europe": 53}  # Asia 64 with the rejected one
    sources = facilities(folder / "facilities.csv")
    assert problems(sources) == []
    found = of_type(sources, Facility)
    assert Counter(f.kind for f in found) == {"synchrotron": 55, "free-electron laser": 18}
    assert len({i.facility for i in instruments}) == 38
    assert {i.facility for i in instruments} <= {f.local_id for f in found}
