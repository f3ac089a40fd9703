"""The NSF MRI awards reader on real award records: golden records, rejects, and the whole shared file."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest

from graph.errors import InputError
from ingest.readers.base import ReadItem
from ingest.readers.nsf_mri import NsfMriReader, clean_title
from ingest.records import Expert, Grant, GrantRef, Instrument, Organization, OrgRef, Origin, Place, Role
from ingest.report import Reject
from tests.conftest import FIXTURES, shared_data

HERE = FIXTURES / "nsf-mri"
SOURCE = "nsf-mri"
T = TypeVar("T")
BOULDER = OrgRef("University of Colorado at Boulder")
BOULDER_PLACE = Place(city="Boulder", region="Colorado", country="United States")


def read(path: Path) -> list[ReadItem]:
    return list(NsfMriReader().read(path, SOURCE))


def of_type(items: list[ReadItem], kind: type[T]) -> list[T]:
    return [i for i in items if isinstance(i, kind)]


def problems(items: list[ReadItem]) -> list[tuple[int | None, str | None, str | None, str]]:
    return [(p.line, p.record_id, p.field, p.severity) for p in of_type(items, Reject)]


def without_line(items: list[ReadItem]) -> list[ReadItem]:
    return [
        i if isinstance(i, Reject) else dataclasses.replace(i, origin=dataclasses.replace(i.origin, line=0))
        for i in items
    ]


def test_first_award_yields_exact_records() -> None:
    items = read(HERE / "awards.jsonl")
    abstract = json.loads((HERE / "awards.jsonl").read_text(encoding="utf-8").splitlines()[0])["abstract"]
    origin = Origin(SOURCE, 1, "0454999")
    grant = GrantRef("nsf", "0454999")
    people = ["jeffrey-thayer", "todd-valentic", "john-livingston"]
    ids = tuple(f"{p}--university-of-colorado-at-boulder" for p in people)
    assert items[:6] == [
        Organization(origin=origin, name=BOULDER.name, place=BOULDER_PLACE, kind="university"),
        Grant(
            origin=origin,
            ref=grant,
            title="Lidar Sensors and Cyberinfrastructure for Arctic Atmospheric Research",
            abstract=abstract,
            start=date(2005, 9, 15),
            end=date(2011, 8, 31),
            amount_usd=886946,
            url="https://www.nsf.gov/awardsearch/showAward?AWD_ID=0454999",
            programme=(
                "Div Atmospheric & Geospace Sciences",
                "MAJOR RESEARCH INSTRUMENTATION",
                "AERONOMY",
                "ATMOSPHERIC CHEMISTRY",
                "UPPER ATMOSPHERIC FACILITIES",
                "CYBERINFRASTRUCTURE & SENSORS",
            ),
        ),
        *(
            Expert(
                origin=origin,
                local_id=local_id,
                name=name,
                affiliations=(BOULDER,),
                place=BOULDER_PLACE,
                roles=(Role(grant, role),),
            )
            for local_id, name, role in zip(
                ids,
                ["Jeffrey Thayer", "Todd Valentic", "John Livingston"],
                ["PI", "co-PI", "co-PI"],
                strict=True,
            )
        ),
        Instrument(
            origin=origin,
            local_id="0454999",
            name="Lidar Sensors and Cyberinfrastructure for Arctic Atmospheric Research",
            description=abstract,
            keywords=("Directorate For Geosciences", "Div Atmospheric & Geospace Sciences"),
            organization=BOULDER,
            place=BOULDER_PLACE,
            contacts=ids,
            grant=grant,
        ),
    ]
    assert abstract.startswith("The investigators will conduct a five-year research program")


INSTRUMENTS = [
    (1, "0454999", "Lidar Sensors and Cyberinfrastructure for Arctic Atmospheric Research", ()),
    (2, "0520492", "Acquisition of a 300 MHz NMR Spectrometer", (("kind", "acquisition"),)),
    (3, "0520821", "Upgrades to AMNH-LDEO SX100 Electron Microprobe", (("kind", "upgrade"),)),
    (
        4,
        "0521158",
        "Acquisition of Ultrasonic C-Scan System for Research and Educational Training in Structural Nanocomposites",
        (("kind", "acquisition"),),
    ),
    (
        5,
        "0531910",
        "Development of an Autonomous Real-time Remote Observatory (ARRO)",
        (("kind", "development"),),
    ),
    (
        6,
        "0722803",
        "Development of the Detector Package for the Super HMS in Hall C at JLab",
        (("kind", "development"), ("same project as NSF awards", "0722965; 0723062; 0723083")),
    ),
    (
        7,
        "0722859",
        "Acquisition of a Material Testing System for Research and Educational Training in Static and "
        "Dynamic Characterization of Advanced Structural Nanocomposites",
        (("kind", "acquisition"),),
    ),
    (8, "0820845", "Acquisition of a Circular Dichroism Spectrophotometer", (("kind", "acquisition"),)),
    (
        9,
        "0820941",
        "Development of the LSU-FSU Array for Nuclear Astrophysics with Exotic Nuclei",
        (("kind", "development"), ("same project as NSF awards", "0821308")),
    ),
    (
        10,
        "0821252",
        "Acquisition of a Multi-Photon-Ready Microscope at Texas State University",
        (("kind", "acquisition"),),
    ),
    (
        11,
        "0821687",
        "Acquisition of a Flow Cytometer for Aquatic Ecosystem Research",
        (("kind", "acquisition"),),
    ),
    (
        12,
        "0958877",
        "Acquisition of multiple Environmental Sample Processors (ESPs) and supporting mooring and "
        "communications hardware",
        (("kind", "acquisition"),),
    ),
    (
        13,
        "1053590",
        "Deepwater Oil/Gas Well Blowout Simulator to Study Oil/Gas Dispersion and Mitigate Gas Hydrate "
        "Formation in the Gulf Oil Spill",
        (),
    ),
    (
        14,
        "1726395",
        "Development of a High Pressure Spatial CVD for Functional Materials",
        (("kind", "development"),),
    ),
]

GRANTS = [
    ("0454999", date(2005, 9, 15), date(2011, 8, 31), 886946, 6),
    ("0520492", date(2005, 8, 15), date(2008, 7, 31), 224400, 2),
    ("0520821", date(2005, 9, 1), date(2006, 8, 31), 190259, 2),
    ("0521158", date(2005, 9, 1), date(2008, 8, 31), 260368, 2),
    ("0531910", date(2004, 10, 1), date(2007, 8, 31), 794574, 3),
    ("0722803", date(2007, 10, 1), date(2012, 9, 30), 228847, 2),
    ("0722859", date(2007, 9, 1), date(2010, 8, 31), 394550, 2),
    ("0820845", date(2008, 8, 1), date(2011, 7, 31), 172515, 2),
    ("0820941", date(2008, 9, 1), date(2012, 8, 31), 252000, 2),
    ("0821252", date(2008, 8, 1), date(2009, 7, 31), 234360, 2),
    ("0821687", date(2008, 9, 1), date(2010, 8, 31), 193827, 1),
    ("0958877", date(2010, 7, 1), date(2013, 9, 30), 1934178, 2),
    ("1053590", date(2010, 8, 15), date(2012, 7, 31), 200000, 2),
    ("1726395", date(2017, 9, 1), date(2020, 8, 31), 523999, 3),
]

ORGANIZATIONS = [
    ("University of Colorado at Boulder", "university", "Boulder", "Colorado"),
    ("Delaware State University", "university", "Dover", "Delaware"),
    ("American Museum Natural History", None, "New York", "New York"),
    ("Tuskegee University", "university", "Tuskegee Institute", "Alabama"),
    ("University of New Hampshire", "university", "Durham", "New Hampshire"),
    (
        "North Carolina Agricultural & Technical State University",
        "university",
        "Greensboro",
        "North Carolina",
    ),
    ("Tuskegee University", "university", "Tuskegee Institute", "Alabama"),
    ("Texas Woman's University", "university", "Denton", "Texas"),
    ("Florida State University", "university", "Tallahassee", "Florida"),
    ("Texas State University - San Marcos", "university", "San Marcos", "Texas"),
    ("University of Minnesota Duluth", "university", "Duluth", "Minnesota"),
    ("Woods Hole Oceanographic Institution", None, "Woods Hole", "Massachusetts"),
    ("Colorado School of Mines", "university", "Golden", "Colorado"),
    ("Lehigh University", "university", "Bethlehem", "Pennsylvania"),
]

EXPERTS = [
    ("0454999", "jeffrey-thayer--university-of-colorado-at-boulder", "Jeffrey Thayer", "PI"),
    ("0454999", "todd-valentic--university-of-colorado-at-boulder", "Todd Valentic", "co-PI"),
    ("0454999", "john-livingston--university-of-colorado-at-boulder", "John Livingston", "co-PI"),
    ("0520492", "kraig-wheeler--delaware-state-university", "Kraig Wheeler", "PI"),
    ("0520492", "andrew-goudy--delaware-state-university", "Andrew Goudy", "co-PI"),
    ("0520492", "peter-dimaria--delaware-state-university", "Peter DiMaria", "co-PI"),
    ("0520492", "malcolm-dsouza--delaware-state-university", "Malcolm D'Souza", "co-PI"),
    ("0520492", "bizuneh-workie--delaware-state-university", "Bizuneh Workie", "co-PI"),
    ("0520821", "charles-mandeville--american-museum-natural-history", "Charles Mandeville", "PI"),
    ("0521158", "mahesh-hosur--tuskegee-university", "Mahesh Hosur", "PI"),
    ("0521158", "yuanxin-zhou--tuskegee-university", "Yuanxin Zhou", "co-PI"),
    ("0521158", "vijaya-rangari--tuskegee-university", "Vijaya Rangari", "co-PI"),
    ("0521158", "shaik-jeelani--tuskegee-university", "Shaik Jeelani", "co-PI"),
    ("0521158", "mrinal-saha--tuskegee-university", "Mrinal Saha", "co-PI"),
    ("0531910", "marc-lessard--university-of-new-hampshire", "Marc Lessard", "PI"),
    (
        "0722803",
        "abdellah-ahmidouch--north-carolina-agricultural-technical-state-university",
        "Abdellah Ahmidouch",
        "PI",
    ),
    (
        "0722803",
        "samuel-danagoulian--north-carolina-agricultural-technical-state-university",
        "Samuel Danagoulian",
        "co-PI",
    ),
    ("0722859", "mahesh-hosur--tuskegee-university", "Mahesh Hosur", "PI"),
    ("0722859", "yuanxin-zhou--tuskegee-university", "Yuanxin Zhou", "co-PI"),
    ("0722859", "shaik-jeelani--tuskegee-university", "Shaik Jeelani", "co-PI"),
    ("0820845", "richard-d-sheardy--texas-womans-university", "Richard D Sheardy", "PI"),
    ("0820845", "b-mark-britt--texas-womans-university", "B Mark Britt", "co-PI"),
    ("0820845", "mary-e-anderson--texas-womans-university", "Mary E Anderson", "co-PI"),
    ("0820941", "grigory-v-rogachev--florida-state-university", "Grigory V Rogachev", "PI"),
    ("0820941", "ingo-wiedenhoever--florida-state-university", "Ingo Wiedenhoever", "co-PI"),
    ("0821252", "joseph-r-koke--texas-state-university-san-marcos", "Joseph R Koke", "PI"),
    ("0821252", "dana-m-garcia--texas-state-university-san-marcos", "Dana M García", "co-PI"),
    ("0821687", "stephanie-guildford--university-of-minnesota-duluth", "Stephanie Guildford", "PI"),
    ("0821687", "randall-hicks--university-of-minnesota-duluth", "Randall Hicks", "co-PI"),
    ("0821687", "julie-etterson--university-of-minnesota-duluth", "Julie Etterson", "co-PI"),
    ("0958877", "donald-anderson--woods-hole-oceanographic-institution", "Donald Anderson", "PI"),
    ("0958877", "christopher-scholin--woods-hole-oceanographic-institution", "Christopher Scholin", "co-PI"),
    ("0958877", "dennis-mcgillicuddy--woods-hole-oceanographic-institution", "Dennis McGillicuddy", "co-PI"),
    ("0958877", "gregory-doucette--woods-hole-oceanographic-institution", "Gregory Doucette", "co-PI"),
    ("1053590", "carolyn-koh--colorado-school-of-mines", "Carolyn Koh", "PI"),
    ("1053590", "david-wu--colorado-school-of-mines", "David Wu", "co-PI"),
    ("1053590", "amadeu-sum--colorado-school-of-mines", "Amadeu Sum", "co-PI"),
    ("1053590", "e-dendy-sloan--colorado-school-of-mines", "E. Dendy Sloan", "co-PI"),
    ("1726395", "nelson-tansu--lehigh-university", "Nelson Tansu", "PI"),
    ("1726395", "volkmar-dierolf--lehigh-university", "Volkmar Dierolf", "co-PI"),
    ("1726395", "siddha-pimputkar--lehigh-university", "Siddha Pimputkar", "co-PI"),
    ("1726395", "nicholas-strandwitz--lehigh-university", "Nicholas Strandwitz", "co-PI"),
    ("1726395", "jonathan-wierer-jr--lehigh-university", "Jonathan Wierer, Jr.", "co-PI"),
]


def test_golden_key_fields_of_every_record() -> None:
    items = read(HERE / "awards.jsonl")
    assert problems(items) == []
    instruments = of_type(items, Instrument)
    assert [(i.origin.line, i.local_id, i.name, i.specs) for i in instruments] == INSTRUMENTS
    assert all(i.grant == GrantRef("nsf", i.local_id) and i.instrument_type is None for i in instruments)
    grants = of_type(items, Grant)
    assert [(g.ref.award_id, g.start, g.end, g.amount_usd, len(g.programme)) for g in grants] == GRANTS
    organizations = of_type(items, Organization)
    assert [(o.name, o.kind, o.place.city, o.place.region) for o in organizations] == ORGANIZATIONS
    experts = of_type(items, Expert)
    assert [(e.origin.record_id, e.local_id, e.name, e.roles[0].role) for e in experts] == EXPERTS
    assert all(e.roles[0].grant == GrantRef("nsf", e.origin.record_id) for e in experts)
    contacts = {i.local_id: i.contacts for i in instruments}
    assert contacts == {a: tuple(e[1] for e in EXPERTS if e[0] == a) for a in contacts}


def test_division_code_stands_in_for_a_missing_division_name() -> None:
    items = read(HERE / "awards.jsonl")
    grant = next(g for g in of_type(items, Grant) if g.ref.award_id == "0531910")
    assert grant.programme == ("PLR", "MAJOR RESEARCH INSTRUMENTATION", "ANTARCTIC INSTRUM & SUPPORT")
    no_elements = next(g for g in of_type(items, Grant) if g.ref.award_id == "0821687")
    assert no_elements.programme == ("Div Of Biological Infrastructure",)


def test_same_person_in_two_awards_has_one_id() -> None:
    experts = of_type(read(HERE / "awards.jsonl"), Expert)
    hosur = [e for e in experts if e.name == "Mahesh Hosur"]
    assert {e.local_id for e in hosur} == {"mahesh-hosur--tuskegee-university"}
    assert [e.roles for e in hosur] == [
        (Role(GrantRef("nsf", "0521158"), "PI"),),
        (Role(GrantRef("nsf", "0722859"), "PI"),),
    ]


def test_csv_gives_the_same_records_as_jsonl() -> None:
    from_csv = read(HERE / "awards.csv")
    assert without_line(from_csv) == without_line(read(HERE / "awards.jsonl"))
    lines = [i.origin.line for i in of_type(from_csv, Instrument)]
    assert lines == [2, 3, 6, 11, 14, 18, 19, 26, 29, 32, 35, 38, 45, 54]


@pytest.mark.parametrize(
    ("prefix", "rest"),
    [
        ("MRI: ", "Acquisition of a 3T MRI System"),
        ("MRI-R2: ", "Development of the New Generation of Long-Period Seafloor MT Instrumentation"),
        ("MRI Consortium: ", "Development of High Throughput High Energy Diffraction Microscope"),
        (
            "MRI-Consortium: ",
            "Development of the Pre-Shower Calorimeter for the CLAS12 Detector at Jefferson Lab",
        ),
        ("MRI-R2 Consortium: ", "Acquisition of multiple Environmental Sample Processors (ESPs)"),
        ("MRI RAPID: ", "Deepwater Oil/Gas Well Blowout Simulator to Study Oil/Gas Dispersion"),
        (
            "MRI: Collaborative Research: ",
            "Development of the Detector Package for the Super HMS in Hall C at JLab",
        ),
        ("Collaborative research-MRI: ", "Development of the LSU-FSU Array for Nuclear Astrophysics"),
        (
            "OIA/MRI: ",
            "Acquisition of a Computational Server for Large Vocabulary Connectionist Speech Recognition",
        ),
        (
            "MRI/RUI: ",
            "Acquisition of a Genetic Analyzer and Real-Time PCR System Machine for Undergraduate Research",
        ),
        ("MRI ", "Development of the Scripps Ocean Atmosphere Research Simulator (SOARS)"),
        ("MRI: ", "SusChEM: Acquisition of a hybrid distributed computer system"),
        ("", "Acquisition of a 300 MHz NMR Spectrometer"),
        ("", "MRI for the aquisition of a high-efficiency scintillation detector"),
    ],
)
def test_clean_title_drops_mri_programme_prefixes(prefix: str, rest: str) -> None:
    assert clean_title(prefix + rest) == rest


def test_bad_jsonl_rows_become_problems_and_valid_rows_load() -> None:
    items = read(HERE / "awards-bad.jsonl")
    assert problems(items) == [
        (2, None, None, "error"),  # line cut off: invalid JSON
        (3, "0521158", "amount_usd", "error"),  # "two hundred thousand"
        (4, "0531910", "title", "error"),  # title removed
        (6, "0722859", "co_pi_names[1]", "error"),  # a number in the list of names
        (7, None, None, "error"),  # a JSON array, not an object
        (8, "0820845", "program_elements[0].name", "error"),  # an object where the name should be
        (9, "0820941", "start_date", "error"),  # 2008-13-01
        (10, "0821252", "notes", "warning"),  # unknown field: reported once, the award still loads
        (11, "0821687", "url", "error"),  # no scheme
    ]
    assert [i.local_id for i in of_type(items, Instrument)] == ["0520492", "0821252", "1726395"]
    reasons = [p.reason for p in of_type(items, Reject)]
    assert reasons[1] == "expected a whole number, found 'two hundred thousand'"
    assert reasons[2] == "required value is missing"


def test_bad_csv_rows_become_problems_and_valid_rows_load() -> None:
    items = read(HERE / "awards-bad.csv")
    assert problems(items) == [
        (1, None, "notes", "warning"),  # unknown column
        (5, "0521158", "amount_usd", "error"),  # n/a
        (8, "0722803", None, "error"),  # state_code left out: one field short
        (9, None, "award_id", "error"),  # award id emptied
        (13, "0520492", "start_date", "error"),  # 15/08/2005
        (16, None, None, "error"),  # closing quote of the title removed
    ]
    assert [i.local_id for i in of_type(items, Instrument)] == ["0820941"]
    experts = of_type(items, Expert)
    assert [e.name for e in experts] == ["Grigory V Rogachev", "Ingo Wiedenhoever"]  # empty list item skipped


def test_unreadable_inputs_raise(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "awards.jsonl")
    other = tmp_path / "awards.xml"
    other.write_text("<rootTag/>", encoding="utf-8")
    with pytest.raises(InputError, match=r"\.jsonl or \.csv"):
        read(other)
    wrong = tmp_path / "awards.csv"
    wrong.write_text("id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an NSF MRI awards CSV"):
        read(wrong)


def test_sniff() -> None:
    reader = NsfMriReader()
    for name in ("awards.jsonl", "awards.csv"):
        path = HERE / name
        assert reader.sniff(path, path.read_text(encoding="utf-8")[:4096])
    beamlines = FIXTURES / "xas-beamlines" / "beamlines.csv"
    assert not reader.sniff(beamlines, beamlines.read_text(encoding="utf-8")[:4096])
    experts = '{"expert_id": "nsf-pi-00001", "awards": [{"award_id": "1717498", "title": "x"}]}'
    assert not reader.sniff(Path("experts.jsonl"), experts)


@pytest.mark.parametrize("name", ["awards.jsonl", "awards.csv"])
def test_whole_shared_file_matches_source_counts(name: str) -> None:
    items = read(shared_data("nsf-mri-instruments") / name)
    assert problems(items) == []
    counts = Counter(type(i).__name__ for i in items)
    assert counts == {"Organization": 677, "Grant": 677, "Instrument": 677, "Expert": 2354}
    assert len({o.name for o in of_type(items, Organization)}) == 355
    assert len({e.local_id for e in of_type(items, Expert)}) == 2297
    kinds = Counter(dict(i.specs).get("kind", "unspecified") for i in of_type(items, Instrument))
    assert kinds == {"acquisition": 543, "development": 117, "unspecified": 14, "upgrade": 3}
    years = Counter(g.start.year for g in of_type(items, Grant) if g.start)
    assert [years[y] for y in (2005, 2007, 2008, 2010, 2017)] == [140, 103, 228, 16, 185]
    assert sum(1 for i in of_type(items, Instrument) if dict(i.specs).get("same project as NSF awards")) == 16


def test_whole_shared_csv_gives_the_same_records_as_jsonl() -> None:
    folder = shared_data("nsf-mri-instruments")
    assert without_line(read(folder / "awards.csv")) == without_line(read(folder / "awards.jsonl"))
