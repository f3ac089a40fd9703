from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from graph.errors import InputError
from ingest.readers.base import ReadItem, head_text
from ingest.readers.datafinder import DataFinderReader
from ingest.readers.dcat import DcatReader
from ingest.records import Contact, Dataset, OrgRef, Origin
from ingest.report import Reject

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "dcat"
SHARED = ROOT.parent / "shared" / "data"
ANZSRC = "https://linked.data.gov.au/def/anzsrc-for/2020/"
RADIATE = "https://example.org/datafinder/dataset/RADIATE"


def read(path: Path) -> list[ReadItem]:
    return list(DcatReader().read(path, "dcat"))


def records(items: list[ReadItem]) -> list[Dataset]:
    assert not [i for i in items if isinstance(i, Reject)]
    return [i for i in items if isinstance(i, Dataset)]


def dataset(line: int, local_id: str, title: str, **fields: Any) -> Dataset:
    """A golden record without its description, which is checked on its own."""
    return Dataset(origin=Origin("dcat", line, local_id), local_id=local_id, title=title, **fields)


GOLDEN = [
    dataset(
        20,
        "GAP Coreference Dataset",
        "GAP Coreference Dataset",
        alt_names=("GAP",),
        keywords=("coreference resolution", "gender-balanced", "Wikipedia"),
        subjects=(ANZSRC + "460208",),
        landing_page="https://github.com/google-research-datasets/gap-coreference",
        publisher=OrgRef("Google AI Language"),
    ),
    dataset(
        30,
        "OBP",
        "OBP",
        keywords=("fashion e-commerce", "logged bandit feedback", "multi-armed bandit"),
        subjects=(ANZSRC + "461105",),
        landing_page="https://github.com/st-tech/zr-obp",
        publisher=OrgRef("ZOZO, Inc."),
    ),
    dataset(
        39,
        "OTT-QA",
        "OTT-QA",
        keywords=("HybridQA", "question answering", "tables"),
        subjects=(ANZSRC + "460208",),
        landing_page="https://github.com/wenhuchen/OTT-QA",
        publisher=OrgRef("UCSB NLP group"),
        license="http://spdx.org/licenses/MIT",
        contact=Contact(url="https://github.com/wenhuchen/OTT-QA"),
    ),
    dataset(
        50,
        RADIATE,
        "RADIATE",
        keywords=("adverse weather", "automotive", "radar", "vehicle perception"),
        subjects=(ANZSRC + "460304",),
        landing_page="https://github.com/marcelsheeny/radiate_sdk",
        publisher=OrgRef("Heriot-Watt University"),
    ),
    dataset(
        60,
        "Deeply Korean read speech",
        "Deeply Korean read speech",
        keywords=("Korean", "read speech", "reverberation"),
        subjects=(ANZSRC + "460212",),
        publisher=OrgRef("Deeply Inc."),
        contact=Contact(email="contact@deeplyinc.com"),
    ),
]
DESCRIPTIONS = [
    ("GAP is a gender-balanced dataset", "coreference resolution in practical applications."),
    ("Open Bandit Dataset is a public", "platform called ZOZOTOWN."),
    ("The Open Table-and-Text Question Answering (**OTT-QA**)", "issued under MIT license."),
    ("**RADIATE** (**RAdar Dataset In Adverse weaThEr**)", "bicycle, pedestrian and group of pedestrians)."),
    ("Deeply Korean read speech corpus contains", "for the full set with the research/commercial license."),
]


def without_description(record: Dataset) -> Dataset:
    return dataclasses.replace(record, description=None)


def test_sniff() -> None:
    reader = DcatReader()
    for name in ("catalogue.ttl", "catalogue.jsonld"):
        path = FIXTURES / name
        assert reader.sniff(path, head_text(path))
    datafinder = ROOT / "tests" / "fixtures" / "datafinder" / "datasets.jsonl"
    assert not reader.sniff(datafinder, head_text(datafinder))


def test_golden_turtle() -> None:
    found = records(read(FIXTURES / "catalogue.ttl"))
    assert [without_description(r) for r in found] == GOLDEN
    for record, (start, end) in zip(found, DESCRIPTIONS, strict=True):
        assert record.description is not None
        assert record.description.startswith(start) and record.description.endswith(end)


def test_golden_json_ld_equals_turtle_but_for_lines() -> None:
    path = FIXTURES / "catalogue.jsonld"
    turtle, json_ld = records(read(FIXTURES / "catalogue.ttl")), records(read(path))

    def unlined(r: Dataset) -> Dataset:
        return dataclasses.replace(r, origin=dataclasses.replace(r.origin, line=0))

    assert [unlined(r) for r in json_ld] == [unlined(r) for r in turtle]
    lines = path.read_text(encoding="utf-8").split("\n")
    for record, iri in zip(json_ld, ("GAP_Coreference_Dataset", "OBP", "OTT-QA", "RADIATE", "Deeply_"), strict=True):
        assert f'"@id": "df:{iri}' in lines[record.origin.line - 1]
        assert "@type" in lines[record.origin.line]  # the node object, not the catalogue's reference


def test_damaged_datasets_become_problems_and_the_rest_loads() -> None:
    items = read(FIXTURES / "damaged.ttl")
    problems = [(p.line, p.record_id, p.field, p.severity) for p in items if isinstance(p, Reject)]
    assert problems == [
        (20, "GAP Coreference Dataset", "dcterms:title", "error"),  # title removed
        (29, "OBP", "dcterms:issued", "error"),  # "May 2020" is no date
        (39, "OTT-QA", "dcterms:license", "error"),  # a blank node, not a licence IRI
        (50, RADIATE, "dcterms:publisher", "warning"),  # publisher without a name
        (60, "Deeply Korean read speech", "dcat:contactPoint/vcard:hasEmail", "error"),  # no @ in the address
    ]
    loaded = [i for i in items if isinstance(i, Dataset)]
    assert [(r.local_id, r.publisher) for r in loaded] == [(RADIATE, None)]
    assert without_description(loaded[0]) == dataclasses.replace(GOLDEN[3], publisher=None)


def test_broken_turtle_is_one_problem_at_its_line() -> None:
    items = read(FIXTURES / "broken.ttl")
    assert len(items) == 1 and isinstance(items[0], Reject)
    assert items[0].line == 33  # the statement after the title that lost its ';'
    assert items[0].reason.startswith("cannot parse turtle: expected '.'")


def test_broken_json_ld_is_one_problem_at_its_line() -> None:
    items = read(FIXTURES / "broken.jsonld")
    assert len(items) == 1 and isinstance(items[0], Reject)
    assert (items[0].line, items[0].reason) == (96, "invalid JSON at column 7: Expecting ',' delimiter")


def test_remote_context_is_not_fetched(tmp_path: Path) -> None:
    text = (FIXTURES / "catalogue.jsonld").read_text(encoding="utf-8")
    start, end = text.index('"@context": {'), text.index("},", text.index('"@context": {')) + 1
    path = tmp_path / "remote.jsonld"
    path.write_text(text[:start] + '"@context": "https://www.w3.org/ns/dcat3.jsonld"' + text[end:], encoding="utf-8")
    items = read(path)
    assert len(items) == 1 and isinstance(items[0], Reject)
    assert (items[0].line, items[0].field) == (2, "@context")


def test_json_without_context_is_not_this_format(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    path.write_text('{"dcat": "http://www.w3.org/ns/dcat#"}', encoding="utf-8")
    with pytest.raises(InputError, match="without @context"):
        read(path)


@pytest.mark.skipif(not (SHARED / "vocab-dcat").is_dir(), reason="shared data folder ../shared/data is not checked out")
def test_dcat_vocabulary_parses_and_describes_no_dataset() -> None:
    items = read(SHARED / "vocab-dcat" / "dcat3.ttl")
    assert [(type(i).__name__, getattr(i, "severity", None)) for i in items] == [("Reject", "warning")]


@pytest.mark.skipif(not (SHARED / "datafinder-datasets").is_dir(), reason="shared data is not checked out")
def test_fixture_text_is_the_real_datafinder_text() -> None:
    real = {
        r.title: r
        for r in DataFinderReader().read(SHARED / "datafinder-datasets" / "datasets.jsonl", "datafinder")
        if isinstance(r, Dataset)
    }
    for record in records(read(FIXTURES / "catalogue.ttl")):
        source = real[record.title]
        assert (record.description, record.alt_names) == (source.description, source.alt_names)
        assert record.landing_page == source.landing_page
