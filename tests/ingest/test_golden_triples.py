"""Golden tests: real input rows -> read -> map -> validate -> the exact triples and rejects, per reader.

Each case reads its input files (small verbatim copies under ``tests/fixtures/golden/<reader>/`` with a SOURCE.md,
or the damaged inputs already in ``tests/fixtures``), checks every record as the pipeline does (organisation
triples checked and written once per source), and compares the sorted N-Triples lines of what would be loaded with
``expected.nt`` and the problems (reader rejects, warnings, SHACL violations) with ``expected_rejects.jsonl``.

After a deliberate change to a reader or the mapping, regenerate the files and review the diff::

    SHAREKG_REGENERATE_GOLDEN=1 pytest tests/ingest/test_golden_triples.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from ingest.pipeline import RecordChecker
from ingest.readers import fixed_readers
from ingest.readers.base import Reader
from ingest.readers.tabular import MappedReader
from ingest.report import Reject
from tests.conftest import FIXTURES, REPO

GOLDEN = FIXTURES / "golden"
REGENERATE = os.environ.get("SHAREKG_REGENERATE_GOLDEN") == "1"
SHIPPED_MAPPINGS = REPO / "mappings"
TEST_MAPPINGS = FIXTURES / "mapped"

ReaderFactory = Callable[[], Reader]


def fixed(name: str) -> ReaderFactory:
    return lambda: fixed_readers()[name]


def mapped(mapping: Path) -> ReaderFactory:
    return lambda: MappedReader(mapping)


@dataclass(frozen=True)
class Case:
    id: str
    folder: str  # under tests/fixtures/golden: where expected.nt and expected_rejects.jsonl live
    source: str
    inputs: tuple[tuple[str, ReaderFactory], ...]  # (path under tests/fixtures, reader), read in this order


def case(id: str, source: str, *inputs: tuple[str, ReaderFactory], folder: str | None = None) -> Case:
    return Case(id, folder or id, source, inputs)


CASES = [
    # Small verbatim copies of real rows (tests/fixtures/golden/<reader>/SOURCE.md).
    case("uniquip/rows", "uniquip-st-andrews", ("golden/uniquip/rows/equipment.csv", fixed("uniquip"))),
    case(
        "xas-beamlines/rows",
        "xas-beamlines",
        ("golden/xas-beamlines/rows/beamlines.csv", fixed("xas-beamlines")),
        ("golden/xas-beamlines/rows/facilities.csv", fixed("light-sources")),
    ),
    case("datafinder/rows", "datafinder-datasets", ("golden/datafinder/rows/datasets.jsonl", fixed("datafinder"))),
    case("nsf-mri/rows", "nsf-mri-instruments", ("golden/nsf-mri/rows/awards.jsonl", fixed("nsf-mri"))),
    case("nsf-mri/csv", "nsf-mri-instruments", ("mapped/nsf_mri_awards.csv", fixed("nsf-mri"))),
    case("nsf-pi/rows", "nsf-pi-experts", ("golden/nsf-pi/rows/experts.jsonl", fixed("nsf-pi"))),
    case("openalex/rows", "openalex-experts", ("golden/openalex/rows/authors.jsonl", fixed("openalex"))),
    case(
        "mapped/chmo",
        "chmo-instrument-types",
        ("golden/mapped/chmo/instrument_types.csv", mapped(SHIPPED_MAPPINGS / "chmo-instrument-types.toml")),
    ),
    case(
        "mapped/panet",
        "panet-techniques",
        ("golden/mapped/panet/techniques.csv", mapped(SHIPPED_MAPPINGS / "panet-techniques.toml")),
    ),
    # Booking-system rows and a contest (no public data exists: hand-written rows naming real sample resources).
    case(
        "usage/rows",
        "usage-synthetic",
        ("golden/usage/rows/bookings.csv", fixed("usage")),
        ("golden/usage/rows/bookings.jsonl", fixed("usage")),
        ("golden/usage/rows/capacity.csv", fixed("capacity")),
    ),
    case("contest/rows", "contest-synthetic", ("golden/contest/rows/contest.jsonl", fixed("contest"))),
    # Real fixture files that are already small enough (3-8 records).
    case("dcat/catalogue", "dcat-datafinder", ("dcat/catalogue.ttl", fixed("dcat"))),
    case("dcat/catalogue-jsonld", "dcat-datafinder", ("dcat/catalogue.jsonld", fixed("dcat")), folder="dcat/catalogue"),
    case("skos/oecd", "subjects-oecd-ford", ("skos/oecd_sample.ttl", fixed("skos"))),
    *(
        case(
            f"skos/anzsrc-{fmt}",
            "subjects-anzsrc-for-2020",
            (f"skos/anzsrc_sample.{fmt}", fixed("skos")),
            folder="skos/anzsrc",
        )
        for fmt in ("ttl", "nt", "rdf", "jsonld")
    ),
    case(
        "mapped/uniquip-instruments",
        "uniquip-st-andrews",
        ("mapped/uniquip_equipment.csv", mapped(TEST_MAPPINGS / "uniquip-instruments.toml")),
    ),
    case(
        "mapped/datafinder-datasets",
        "datafinder-datasets",
        ("mapped/datafinder_datasets.jsonl", mapped(TEST_MAPPINGS / "datafinder-datasets.toml")),
    ),
    case(
        "mapped/lightsources-facilities",
        "xas-beamlines",
        ("mapped/lightsources_facilities.csv", mapped(TEST_MAPPINGS / "lightsources-facilities.toml")),
    ),
    case(
        "mapped/nsf-grants",
        "nsf-mri-instruments",
        ("mapped/nsf_mri_awards.csv", mapped(TEST_MAPPINGS / "nsf-grants.toml")),
    ),
    # The damaged inputs of tests/fixtures (each SOURCE.md says what was broken): good rows load, bad ones are
    # rejected with the line, record id and field.
    case("uniquip/bad", "uniquip-st-andrews", ("uniquip/bad.csv", fixed("uniquip"))),
    case(
        "xas-beamlines/bad",
        "xas-beamlines",
        ("xas-beamlines/beamlines-bad.csv", fixed("xas-beamlines")),
        ("xas-beamlines/facilities-bad.csv", fixed("light-sources")),
    ),
    case("datafinder/damaged", "datafinder-datasets", ("datafinder/damaged.jsonl", fixed("datafinder"))),
    case("dcat/damaged", "dcat-datafinder", ("dcat/damaged.ttl", fixed("dcat"))),
    case("dcat/broken-ttl", "dcat-datafinder", ("dcat/broken.ttl", fixed("dcat"))),
    case("dcat/broken-jsonld", "dcat-datafinder", ("dcat/broken.jsonld", fixed("dcat"))),
    case("nsf-mri/bad-jsonl", "nsf-mri-instruments", ("nsf-mri/awards-bad.jsonl", fixed("nsf-mri"))),
    case("nsf-mri/bad-csv", "nsf-mri-instruments", ("nsf-mri/awards-bad.csv", fixed("nsf-mri"))),
    case("nsf-pi/bad", "nsf-pi-experts", ("nsf-pi/experts_bad.jsonl", fixed("nsf-pi"))),
    case("openalex/bad", "openalex-experts", ("openalex/bad/authors.jsonl", fixed("openalex"))),
    case("skos/damaged", "subjects-anzsrc-for-2020", ("skos/anzsrc_damaged.ttl", fixed("skos"))),
    case("skos/broken", "subjects-anzsrc-for-2020", ("skos/anzsrc_broken.ttl", fixed("skos"))),
    case("skos/two-schemes", "subjects-oecd-ford", ("skos/two_schemes.ttl", fixed("skos"))),
    case(
        "mapped/uniquip-damaged",
        "uniquip-st-andrews",
        ("mapped/uniquip_damaged.csv", mapped(TEST_MAPPINGS / "uniquip-instruments.toml")),
    ),
    case(
        "mapped/datafinder-damaged",
        "datafinder-datasets",
        ("mapped/datafinder_damaged.jsonl", mapped(TEST_MAPPINGS / "datafinder-datasets.toml")),
    ),
    case(
        "mapped/panet-damaged",
        "panet-techniques",
        ("mapped/panet_damaged.csv", mapped(SHIPPED_MAPPINGS / "panet-techniques.toml")),
    ),
    case(
        "mapped/nsf-grants-damaged",
        "nsf-mri-instruments",
        ("mapped/nsf_mri_damaged.csv", mapped(TEST_MAPPINGS / "nsf-grants.toml")),
    ),
    case(
        "usage/bad",
        "usage-synthetic",
        ("usage/bad.csv", fixed("usage")),
        ("usage/bad.jsonl", fixed("usage")),
        ("usage/capacity-bad.csv", fixed("capacity")),
    ),
    case("contest/damaged", "contest-synthetic", ("contest/damaged.jsonl", fixed("contest"))),
    # Real rows with one value out of range (tests/fixtures/invalid/SOURCE.md): the nsf-mri and openalex readers let it
    # through and the SHACL check rejects the record (the reject names the shape's field); nsf-pi's reader rejects it.
    case("nsf-mri/invalid", "nsf-mri-instruments", ("invalid/nsf-mri/awards.jsonl", fixed("nsf-mri"))),
    case("nsf-pi/invalid", "nsf-pi-experts", ("invalid/nsf-pi/experts.jsonl", fixed("nsf-pi"))),
    case("openalex/invalid", "openalex-experts", ("invalid/openalex/authors.jsonl", fixed("openalex"))),
]


@dataclass(frozen=True)
class Outcome:
    triples: list[str]  # sorted, distinct N-Triples lines
    rejects: list[str]  # one JSON object (Reject.as_dict()) per line, in reading order


def run(c: Case) -> Outcome:
    """Read every input, then map and check each record as the pipeline does."""
    checker = RecordChecker()
    lines: set[str] = set()
    rejects: list[Reject] = []
    for path, reader in c.inputs:
        for row in checker.rows(reader().read(FIXTURES / path, c.source)):
            rejects.extend(row.problems)
            lines.update(f"{s} {p} {o} ." for s, p, o in row.triples)
    return Outcome(sorted(lines), [json.dumps(p.as_dict(), ensure_ascii=False) for p in rejects])


def read_lines(path: Path) -> list[str]:
    """Lines split on LF only: a literal may hold U+2028, which ``str.splitlines`` would split on."""
    text = path.read_bytes().decode("utf-8")
    return text.split("\n")[:-1] if text else []


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("".join(line + "\n" for line in lines).encode("utf-8"))


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_golden(c: Case) -> None:
    outcome = run(c)
    folder = GOLDEN / c.folder
    if REGENERATE:
        write_lines(folder / "expected.nt", outcome.triples)
        write_lines(folder / "expected_rejects.jsonl", outcome.rejects)
    assert outcome.triples == read_lines(folder / "expected.nt"), f"triples differ from {c.folder}/expected.nt"
    assert outcome.rejects == read_lines(folder / "expected_rejects.jsonl"), (
        f"rejects differ from {c.folder}/expected_rejects.jsonl"
    )


def test_every_reader_has_a_golden_case() -> None:
    covered = {reader().name for c in CASES for _, reader in c.inputs}
    assert covered == {*fixed_readers(), "mapped"}


@pytest.mark.parametrize("folder", sorted({c.folder for c in CASES}))
def test_golden_files_are_valid_n_triples_and_json(folder: str) -> None:
    """The committed files parse as they are (N-Triples, JSON per line), so a hand edit cannot break them silently."""
    expected = (GOLDEN / folder / "expected.nt").read_bytes()
    parsed = list(ox.parse(expected, format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == len(read_lines(GOLDEN / folder / "expected.nt"))
    for line in read_lines(GOLDEN / folder / "expected_rejects.jsonl"):
        assert set(json.loads(line)) == {"source", "line", "record_id", "field", "reason", "severity"}


def test_no_stale_golden_folders() -> None:
    """Every folder holding expected files belongs to a case (a renamed case must not leave its old goldens)."""
    on_disk = {p.parent.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("expected.nt")}
    assert on_disk == {c.folder for c in CASES}
