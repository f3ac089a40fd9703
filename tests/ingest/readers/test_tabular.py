"""The mapped reader (ingest/readers/tabular.py; its mapping files: ingest/readers/column_mapping.py): the shipped
mappings on real CHMO and PaNET rows, other record types on real rows of Uniquip, DataFinder, lightsources.org and
NSF (tests/fixtures/mapped/SOURCE.md), and bad mappings and rows. A Chinese platform's export: test_tabular_cn.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.errors import InputError
from ingest.readers.base import ReadItem, head_text
from ingest.readers.column_mapping import RECORD_TYPES, load_column_mapping, targets
from ingest.readers.tabular import MappedReader
from ingest.records import (
    Contact,
    Dataset,
    Facility,
    Grant,
    GrantRef,
    Instrument,
    OrgRef,
    Origin,
    Place,
    Subject,
)
from ingest.report import Reject
from tests.conftest import FIXTURES, REPO, shared_data

MAPPED = FIXTURES / "mapped"
MAPPINGS = REPO / "mappings"
OBO = "http://purl.obolibrary.org/obo/"
PANET = "http://purl.org/pan-science/PaNET/"
CHMO_SCHEME = ("http://purl.obolibrary.org/obo/chmo.owl", "Chemical Methods Ontology (CHMO) instrument types")
PANET_SCHEME = ("http://purl.org/pan-science/PaNET/PaNET.owl", "Photon and Neutron Experimental Techniques (PaNET)")


def read(mapping: Path, data: str, source: str = "mapped-test") -> list[ReadItem]:
    return list(MappedReader(mapping).read(MAPPED / data, source))


def problems(items: list[ReadItem]) -> list[Reject]:
    return [i for i in items if isinstance(i, Reject)]


def key_fields(s: Subject) -> tuple[object, ...]:
    return (s.origin.line, s.origin.record_id, s.iri, s.label, s.alt_labels, s.broader, s.definition is not None)


# ---- the shipped example mappings


def test_chmo_golden() -> None:
    items = read(MAPPINGS / "chmo-instrument-types.toml", "chmo_instrument_types.csv")
    subjects = [i for i in items if isinstance(i, Subject)]
    assert len(items) == len(subjects) == 8
    assert {(s.scheme, s.scheme_label, s.notation) for s in subjects} == {(*CHMO_SCHEME, None)}
    assert [key_fields(s) for s in subjects] == [
        (
            2,
            "CHMO:0000941",
            OBO + "CHMO_0000941",
            "scanning electron microscope",
            ("SEM",),
            (OBO + "CHMO_0001088",),
            True,
        ),
        (
            3,
            "CHMO:0000942",
            OBO + "CHMO_0000942",
            "field-emission scanning electron microscope",
            (
                "FE-SEM",
                "FEG-SEM",
                "field emission SEM",
                "field emission scanning electron microscope",
                "field-emission SEM",
            ),
            (OBO + "CHMO_0000941",),
            True,
        ),
        (4, "CHMO:0000950", OBO + "CHMO_0000950", "diffractometer", (), (OBO + "CHMO_0002793",), True),
        (
            5,
            "CHMO:0002253",
            OBO + "CHMO_0002253",
            "electron spin resonance spectrometer",
            ("EPR spectrometer", "ESR spectrometer", "electron paramagnetic resonance spectrometer"),
            (OBO + "CHMO_0001234",),
            True,
        ),
        (
            6,
            "CHMO:0002309",
            OBO + "CHMO_0002309",
            "quadrupole time-of-flight mass spectrometer",
            (
                "Q-TOF MS",
                "Q-TOF-MS",
                "QTOF MS",
                "QTOF mass spectrometer",
                "QTOF-MS",
                "quadrupolar time-of-flight mass spectrometer",
            ),
            (OBO + "CHMO_0000962", OBO + "CHMO_0000963", OBO + "CHMO_0000981"),
            True,
        ),
        (
            7,
            "CHMO:0002826",
            OBO + "CHMO_0002826",
            "Dean-Stark apparatus",
            ("Dean-Stark condenser", "Dean-Stark trap"),
            (OBO + "OBI_0000968",),
            False,
        ),
        (8, "OBI:0000968", OBO + "OBI_0000968", "device", (), (OBO + "OBI_0000047",), True),
        (9, "OBI:0400169", OBO + "OBI_0400169", "microscope", (), (OBO + "OBI_0000398",), True),
    ]
    assert subjects[6] == Subject(
        origin=Origin("mapped-test", 8, "OBI:0000968"),
        iri=OBO + "OBI_0000968",
        label="device",
        scheme=CHMO_SCHEME[0],
        scheme_label=CHMO_SCHEME[1],
        definition="A material entity that is designed to perform a function in a scientific investigation, "
        "but is not a reagent.",
        broader=(OBO + "OBI_0000047",),
    )


def test_panet_golden() -> None:
    items = read(MAPPINGS / "panet-techniques.toml", "panet_techniques.csv")
    subjects = [i for i in items if isinstance(i, Subject)]
    assert len(items) == len(subjects) == 8
    assert {(s.scheme, s.scheme_label) for s in subjects} == {PANET_SCHEME}
    short = [
        (s.origin.line, s.iri.removeprefix(PANET), s.label, s.alt_labels, s.definition is not None) for s in subjects
    ]
    assert short == [
        (2, "PaNET00001", "photon and neutron technique", (), True),
        (3, "PaNET00002", "defined by experimental probe", (), True),
        (4, "PaNET00100", "photon probe technique", (), True),
        (5, "PaNET01012", "x-ray probe technique", ("Röntgen technique",), True),
        (6, "PaNET01022", "diffraction", (), False),
        (7, "PaNET01137", "x-ray magnetic circular dichroism", ("XMCD",), False),
        (8, "PaNET01199", "x-ray absorption near edge structure", ("NEXAFS", "XANES"), False),
        (9, "PaNET01157", "in-situ diffraction", (), False),
    ]
    by_id = {s.iri.removeprefix(PANET): s for s in subjects}
    assert by_id["PaNET00001"].broader == ()  # owl:Thing is excluded by the mapping
    assert by_id["PaNET01012"] == Subject(
        origin=Origin("mapped-test", 5, PANET + "PaNET01012"),
        iri=PANET + "PaNET01012",
        label="x-ray probe technique",
        scheme=PANET_SCHEME[0],
        scheme_label=PANET_SCHEME[1],
        alt_labels=("Röntgen technique",),
        definition="a technique using photons in the x-ray range: 0.01 nm - 10 nm "
        "(1.2e5 eV - 120 eV; 3e7 THz - 3e4 THz)",
        broader=(PANET + "PaNET00002", PANET + "PaNET00100"),
    )
    assert by_id["PaNET01157"].broader[-1] == "https://www.wikidata.org/wiki/Q133900"
    assert len(by_id["PaNET01199"].broader) == 19


def test_every_shipped_mapping_loads() -> None:
    shipped = sorted(MAPPINGS.glob("*.toml"))
    assert [p.name for p in shipped] == [
        "chmo-instrument-types.toml",
        "cn-instrument-platform.toml",
        "panet-techniques.toml",
    ]
    assert {load_column_mapping(p).record for p in shipped} == {"Subject", "Instrument"}


# ---- other record types


def test_uniquip_instruments_golden() -> None:
    items = read(MAPPED / "uniquip-instruments.toml", "uniquip_equipment.csv")
    st_andrews = OrgRef("University of St Andrews")
    place = Place(city="St Andrews", country="United Kingdom")

    def instrument(line: int, local_id: str, name: str, org: OrgRef, contact: Contact) -> Instrument:
        origin = Origin("mapped-test", line, local_id)
        return Instrument(origin, local_id, name, organization=org, place=place, contact=contact)

    assert items == [
        instrument(
            2,
            "st-andrews-0001",
            "UNKNOWN",
            st_andrews,
            Contact(phone="441334 476161", url="https://www.st-andrews.ac.uk/"),
        ),
        instrument(
            3,
            "st-andrews-0026",
            "EPR Spectrometer 32/",
            OrgRef("Chemistry", st_andrews),
            Contact("chemistry@st-andrews.ac.uk", "441334 463800", "https://www.st-andrews.ac.uk/chemistry/"),
        ),
        instrument(
            4,
            "st-andrews-0053",
            "GAS CHROMATOGRAPHY",
            OrgRef("Environmental Evolution/Sea Mammal/SMRU", st_andrews),
            Contact("smru@st-andrews.ac.uk", "441334 463446", "http://www.smru.st-andrews.ac.uk/"),
        ),
        instrument(
            5,
            "st-andrews-0453",
            '"PT M06 141 110, Mas',
            OrgRef("Physics & Astronomy", st_andrews),
            Contact("physics@st-andrews.ac.uk", "441334 463111", "https://www.st-andrews.ac.uk/physics/"),
        ),
    ]


def test_datafinder_jsonl_golden() -> None:
    items = read(MAPPED / "datafinder-datasets.toml", "datafinder_datasets.jsonl")
    datasets = [i for i in items if isinstance(i, Dataset)]
    assert len(items) == len(datasets) == 4
    assert [(d.origin.line, d.local_id, d.title, d.alt_names) for d in datasets] == [
        (1, "MuMu", "MuMu", ("MuMu",)),
        (2, "ATIS", "ATIS", ("ATIS",)),
        (3, "CBT", "CBT", ("Children's Book Test", "Children's Book Test Common noun", "CBT")),
        (4, "Flickr30k", "Flickr30k", ("Flickr30k", "Flickr", "Flickr30k Captions test", "Flickr30K 1K test")),
    ]
    assert datasets[0] == Dataset(
        origin=Origin("mapped-test", 1, "MuMu"),
        local_id="MuMu",
        title="MuMu",
        description="MuMu is a new dataset of more than 31k albums classified into 250 genre classes.\n\nSource: "
        "[Multi-label Music Genre Classification from Audio, Text, and Images Using Deep Features]"
        "(https://arxiv.org/pdf/1707.04916)",
        alt_names=("MuMu",),
        source_paper_title="Multi-label Music Genre Classification from Audio, Text, and Images Using Deep Features",
    )


def test_lightsource_facilities_golden() -> None:
    items = read(MAPPED / "lightsources-facilities.toml", "lightsources_facilities.csv")
    assert items == [
        Facility(
            origin=Origin("mapped-test", 2, "ALBA"),
            local_id="ALBA",
            name="ALBA",
            alt_names=("ALBA",),
            kind="synchrotron",
            active=True,
            homepage="http://www.cells.es/",
            place=Place(
                country="Spain",
                address="CELLS - ALBA; Carretera BP 1413 de Cerdanyola a Sant Cugat; "
                "Km 3,3; E-08290 Cerdanyola del Vallès; Barcelona; Spain",
            ),
            contact=Contact(email="asanchez@cells.es", phone="+34 93 592 44 19"),
        ),
        Facility(
            origin=Origin("mapped-test", 3, "ALS"),
            local_id="ALS",
            name="Advanced Light Source",
            alt_names=("ALS",),
            kind="synchrotron",
            active=True,
            homepage="http://www-als.lbl.gov/",
            place=Place(
                country="USA",
                address="ALS User Services Office; Advanced Light Source; Lawrence Berkeley "
                "National Laboratory; MS 6-2100; Berkeley, CA 94720; USA",
            ),
            contact=Contact(email="alsuser@lbl.gov", phone="+1 (510) 486-7745"),
        ),
    ]


def test_nsf_grants_golden() -> None:
    items = read(MAPPED / "nsf-grants.toml", "nsf_mri_awards.csv")
    grants = [i for i in items if isinstance(i, Grant)]
    assert len(items) == len(grants) == 2
    first, second = grants
    assert (first.origin.line, second.origin.line) == (2, 3)  # the second record runs over lines 3-7
    assert first.ref == GrantRef("nsf", "0454999")
    assert first.title == "Lidar Sensors and Cyberinfrastructure for Arctic Atmospheric Research"
    assert (first.start, first.end, first.amount_usd) == (date(2005, 9, 15), date(2011, 8, 31), 886946)
    assert first.url == "https://www.nsf.gov/awardsearch/showAward?AWD_ID=0454999"
    assert first.programme == (
        "1189 MAJOR RESEARCH INSTRUMENTATION",
        "1521 AERONOMY",
        "1524 ATMOSPHERIC CHEMISTRY",
        "4202 UPPER ATMOSPHERIC FACILITIES",
        "5225 CYBERINFRASTRUCTURE & SENSORS",
    )
    assert (second.ref, second.amount_usd, second.start) == (GrantRef("nsf", "0519716"), 28584, date(2005, 8, 15))
    assert second.abstract is not None and second.abstract.startswith("A grant has been awarded to St. John's")


def test_date_format_option(tmp_path: Path) -> None:
    text = (
        (MAPPED / "nsf-grants.toml")
        .read_text()
        .replace('start = "start_date"', 'start = { column = "start_date", format = "%d/%m/%Y" }')
    )
    mapping = tmp_path / "grants.toml"
    mapping.write_text(text)
    items = read(mapping, "nsf_mri_damaged.csv")
    assert isinstance(items[0], Grant) and items[0].start == date(2005, 9, 15)
    assert [(p.line, p.field) for p in problems(items)] == [(3, "start_date")]  # the first bad field rejects the row
    good = read(mapping, "nsf_mri_awards.csv")
    assert [(p.line, p.field, p.reason) for p in problems(good)] == [
        (2, "start_date", "expected a date like 31/03/2024 (%d/%m/%Y), found '2005-09-15'"),
        (3, "start_date", "expected a date like 31/03/2024 (%d/%m/%Y), found '2005-08-15'"),
    ]


NSF_INSTRUMENTS = """
[input]
record = "Instrument"
id = "award_id"
unknown_columns = "ignore"
[fields]
name = "title"
organization = "institution"
"place.city" = "city"
"place.region" = "state"
"grant.award_id" = "{award_column}"
[constants]
"grant.funder" = "nsf"
"""


@pytest.mark.parametrize(
    ("award_column", "grants"),
    [("award_id", [GrantRef("nsf", "0454999"), GrantRef("nsf", "0519716")]), ("same_project_award_ids", [None, None])],
)
def test_optional_grant_needs_a_value_from_the_row(
    tmp_path: Path, award_column: str, grants: list[GrantRef | None]
) -> None:
    mapping = tmp_path / "instruments.toml"
    mapping.write_text(NSF_INSTRUMENTS.replace("{award_column}", award_column))
    items = read(mapping, "nsf_mri_awards.csv")
    instruments = [i for i in items if isinstance(i, Instrument)]
    assert len(items) == len(instruments) == 2
    assert [i.grant for i in instruments] == grants
    assert instruments[1].organization == OrgRef("Saint John's University")
    assert instruments[1].place == Place(city="Collegeville", region="Minnesota")


# ---- bad rows


def test_damaged_subject_rows() -> None:
    items = read(MAPPINGS / "panet-techniques.toml", "panet_damaged.csv")
    found = [(p.line, p.record_id, p.field, p.severity) for p in problems(items)]
    assert found == [
        (1, None, "notes", "warning"),
        (3, PANET + "PaNET00002", "label", "error"),
        (4, "PaNET01012", "iri", "error"),
        (6, None, None, "error"),
        (7, PANET + "PaNET01199", "parent_iris", "error"),
        (8, PANET + "PaNET01157", None, "error"),
    ]
    assert [i.origin.line for i in items if isinstance(i, Subject)] == [2, 5]
    reasons = {p.line: p.reason for p in problems(items)}
    assert reasons[4] == "expected an absolute IRI such as https://example.org/x, found 'PaNET01012'"
    assert reasons[6] == "unclosed quote: the row's quoting is broken"
    assert "list it in input.ignore" in reasons[1]


def test_damaged_instrument_rows() -> None:
    items = read(MAPPED / "uniquip-instruments.toml", "uniquip_damaged.csv")
    assert [(p.line, p.record_id, p.field, p.reason) for p in problems(items)] == [
        (2, None, "ID", "required value is missing"),
        (3, "st-andrews-0026", "Contact Email", "expected an e-mail address, found 'chemistry at st-andrews.ac.uk'"),
        (4, "st-andrews-0053", "Contact URL", "expected an http(s) URL, found 'www.smru.st-andrews.ac.uk'"),
        (5, "st-andrews-0453", "Name", "required value is missing"),
    ]


def test_damaged_grant_rows() -> None:
    items = read(MAPPED / "nsf-grants.toml", "nsf_mri_damaged.csv")
    assert [(p.line, p.record_id, p.field, p.reason) for p in problems(items)] == [
        (2, "0454999", "start_date", "expected a date as YYYY-MM-DD, found '15/09/2005'"),
        (3, "0519716", "amount_usd", "expected a whole number, found '28584 USD'"),
    ]


def test_damaged_jsonl_rows() -> None:
    items = read(MAPPED / "datafinder-datasets.toml", "datafinder_damaged.jsonl")
    assert [(p.line, p.record_id, p.field, p.severity) for p in problems(items)] == [
        (1, None, None, "error"),
        (2, "ATIS", "variants", "error"),
        (3, "CBT", "name", "error"),
        (4, "Flickr30k", "tasks", "warning"),  # reported once, at its first line
    ]
    assert [(d.origin.line, d.local_id) for d in items if isinstance(d, Dataset)] == [(4, "Flickr30k"), (5, "MuMu")]


def test_unknown_keys_rejected_by_policy(tmp_path: Path) -> None:
    mapping = tmp_path / "datasets.toml"
    text = (MAPPED / "datafinder-datasets.toml").read_text()
    mapping.write_text(text.replace('id = "id"', 'id = "id"\nunknown_columns = "error"'))
    items = read(mapping, "datafinder_damaged.jsonl")
    rejected = [(p.line, p.field) for p in problems(items) if p.field == "tasks"]
    assert rejected == [(4, "tasks"), (5, "tasks")]
    assert not any(isinstance(i, Dataset) for i in items)


def test_unknown_columns_rejected_by_policy(tmp_path: Path) -> None:
    data = tmp_path / "equipment.csv"
    text = (MAPPED / "uniquip_equipment.csv").read_text()
    data.write_text(text.replace("Datasource\n", "Datasource,Photo\n", 1).replace(".csv\n", ".csv,\n"))
    with pytest.raises(InputError, match=r"columns \['Photo'\] are not in .*uniquip-instruments.toml"):
        list(MappedReader(MAPPED / "uniquip-instruments.toml").read(data, "s"))


def test_header_without_mapped_column(tmp_path: Path) -> None:
    data = tmp_path / "techniques.csv"
    data.write_text((MAPPED / "panet_techniques.csv").read_text().replace("parent_iris", "parents", 1))
    with pytest.raises(InputError, match=r"columns \['parent_iris'\] named in .*panet-techniques.toml"):
        list(MappedReader(MAPPINGS / "panet-techniques.toml").read(data, "s"))


def test_unknown_data_suffix(tmp_path: Path) -> None:
    data = tmp_path / "facilities.xlsx"
    data.write_bytes(b"")
    with pytest.raises(InputError, match=r"set input\.format"):
        list(MappedReader(MAPPED / "lightsources-facilities.toml").read(data, "s"))


# ---- bad mapping files

GOOD = """
[input]
record = "Instrument"
id = "ID"
[fields]
name = "Name"
"""

SUBJECT = GOOD.replace("Instrument", "Subject").replace('name = "Name"', 'iri = "ID"\nlabel = "Name"')
GRANT = GOOD.replace("Instrument", "Grant").replace('name = "Name"', 'title = "Title"')


def with_input(line: str) -> str:
    return GOOD.replace('id = "ID"', f'id = "ID"\n{line}')


BAD_MAPPINGS = [
    ("not toml", "[input\nrecord = 1", "not valid TOML"),
    ("no input", '[fields]\nname = "Name"', "input: missing; add a [input] table"),
    (
        "top-level typo",
        GOOD + '[field]\nname = "X"',
        "field: unknown key; allowed here: constants, description, fields, input",
    ),
    ("input typo", with_input('unknown = "warn"'), "input.unknown: unknown key; allowed here:"),
    (
        "record type",
        GOOD.replace('"Instrument"', '"Equipment"'),
        "input.record: 'Equipment' is not allowed; use one of Organization, Grant",
    ),
    ("no id", GOOD.replace('id = "ID"', ""), "input.id: missing; expected text"),
    ("format", with_input('format = "xlsx"'), "input.format: 'xlsx' is not allowed; use one of csv, tsv, jsonl"),
    (
        "policy",
        with_input('unknown_columns = "fail"'),
        "input.unknown_columns: 'fail' is not allowed; use one of warn, ignore, error",
    ),
    ("delimiter", with_input('format = "jsonl"\ndelimiter = ";"'), "input.delimiter: only CSV and TSV"),
    ("target", GOOD + 'title = "Title"', "fields.title: Instrument has no field 'title'; fields: local_id, name,"),
    ("group", GOOD + 'place = "Site Location"', "fields.place: place has parts; map them one by one: place.city,"),
    ("group part", GOOD + '"place.town" = "Site"', "fields.place.town: Instrument has no field 'place.town'"),
    ("origin", GOOD + 'origin = "ID"', "fields.origin: the reader sets the origin"),
    (
        "nested records",
        GOOD.replace("Instrument", "Expert") + 'works = "Works"',
        "fields.works: Expert.works holds nested records",
    ),
    ("column twice", GOOD + 'description = "Name"', "fields.description: column 'Name' is already read by fields.name"),
    ("target twice", GOOD + '"place.city" = "A"\n[fields.place]\ncity = "B"', "fields.place.city: given twice"),
    (
        "option typo",
        GOOD + 'techniques = { column = "Technique", separator = ";" }',
        "fields.techniques.separator: unknown key; allowed here: column, exclude, replace, split, template",
    ),
    (
        "split on text",
        GOOD + 'description = { column = "D", split = ";" }',
        "fields.description.split: unknown key; allowed here: column, columns, join, replace, template",
    ),
    (
        "template",
        GOOD + 'homepage = { column = "URL", template = "https://x.org/" }',
        "fields.homepage.template: a template needs {value}",
    ),
    (
        "parent twice",
        GOOD + 'organization = { column = "D", parent = "U", parent_column = "I" }',
        "fields.organization: give parent or parent_column, not both",
    ),
    ("no column", GOOD + "description = { template = '{value}' }", "fields.description.column: missing"),
    ("bad spec", GOOD + "description = 3", "fields.description: expected a column name or a table of options, found 3"),
    (
        "date format",
        GRANT + 'start = { column = "S", format = "dd/mm/yyyy" }',
        "fields.start.format: expected a strptime format",
    ),
    ("required", SUBJECT, "fields: Subject needs scheme; read it from a column or set it in [constants]"),
    ("grant part", GOOD + '"grant.award_id" = "Award"', "fields: Instrument needs grant.funder"),
    ("grant ref", GRANT, "fields: Grant needs ref.funder"),
    (
        "constant and field",
        GOOD + '[constants]\nname = "X"',
        "constants.name: also read from a column in [fields]; keep one of the two",
    ),
    (
        "constant type",
        GOOD.replace("Instrument", "Facility") + "[constants]\nactive = 3",
        "constants.active: expected true or false, found '3' (a boolean value)",
    ),
    (
        "constant url",
        GOOD + '[constants]\nhomepage = "www.st-andrews.ac.uk"',
        "constants.homepage: expected an http(s) URL, found 'www.st-andrews.ac.uk' (a url value)",
    ),
    ("constant iri", SUBJECT + '[constants]\nscheme = "CHMO"', "constants.scheme: expected an absolute IRI"),
    (
        "constant org",
        GOOD + "[constants]\norganization = { name = 3 }",
        "constants.organization: expected an organisation name or",
    ),
    ("ignored and mapped", with_input('ignore = ["Name"]'), "input.ignore: columns ['Name'] are read by the mapping"),
]


@pytest.mark.parametrize(("case", "text", "message"), BAD_MAPPINGS, ids=[c for c, _, _ in BAD_MAPPINGS])
def test_bad_mapping_files(tmp_path: Path, case: str, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        load_column_mapping(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such mapping file"):
        MappedReader(tmp_path / "absent.toml")


def test_constants_of_every_kind(tmp_path: Path) -> None:
    path = tmp_path / "instruments.toml"
    path.write_text(
        GOOD + '[constants]\norganization = { name = "Chemistry", parent = "University of St Andrews" }\n'
        'keywords = ["EPR"]\nsubjects = "http://purl.obolibrary.org/obo/CHMO_0002253"\n'
        '"specs" = { "field (T)" = "0.35" }\n"grant.funder" = "nsf"\n"grant.award_id" = "0454999"\n'
    )
    constants = dict(load_column_mapping(path).constants)
    assert constants == {
        "organization": OrgRef("Chemistry", OrgRef("University of St Andrews")),
        "keywords": ("EPR",),
        "subjects": ("http://purl.obolibrary.org/obo/CHMO_0002253",),
        "specs": (("field (T)", "0.35"),),
        "grant.funder": "nsf",
        "grant.award_id": "0454999",
    }


# ---- sniffing, documentation, the whole real files


def test_sniff() -> None:
    chmo = MappedReader(MAPPINGS / "chmo-instrument-types.toml")
    csv_path = MAPPED / "chmo_instrument_types.csv"
    assert chmo.sniff(csv_path, head_text(csv_path))
    other = MAPPED / "panet_techniques.csv"
    assert not chmo.sniff(other, head_text(other))
    datasets = MappedReader(MAPPED / "datafinder-datasets.toml")
    jsonl = MAPPED / "datafinder_datasets.jsonl"
    assert datasets.sniff(jsonl, head_text(jsonl)) and not datasets.sniff(csv_path, head_text(csv_path))


def test_docs_name_every_target() -> None:
    docs = (REPO / "docs" / "mapping.md").read_text()
    for record in RECORD_TYPES:
        assert f"### {record}" in docs
        section = docs.split(f"### {record}", 1)[1].split("###", 1)[0]
        for name in targets(record):
            assert f"`{name}`" in section, (record, name)


def test_full_chmo_instrument_types() -> None:
    data = shared_data("chmo-instruments-methods") / "instrument_types.csv"
    items = list(MappedReader(MAPPINGS / "chmo-instrument-types.toml").read(data, "chmo-instrument-types"))
    subjects = [i for i in items if isinstance(i, Subject)]
    assert problems(items) == []
    assert len(subjects) == 250  # SOURCE.md: 250 instrument/device classes
    assert sum(1 for s in subjects if s.definition) == 246  # 246 with a textual definition
    assert {s.iri.removeprefix(OBO).split("_")[0] for s in subjects} == {"CHMO", "OBI"}


def test_full_panet_techniques() -> None:
    data = shared_data("panet-techniques") / "techniques.csv"
    items = list(MappedReader(MAPPINGS / "panet-techniques.toml").read(data, "panet-techniques"))
    subjects = [i for i in items if isinstance(i, Subject)]
    assert problems(items) == []
    assert len(subjects) == 510  # SOURCE.md: 510 technique classes
    assert sum(1 for s in subjects if s.definition) == 53  # 53 with a textual definition
    assert not any("owl#Thing" in b for s in subjects for b in s.broader)
