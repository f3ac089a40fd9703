"""The SKOS reader on real concepts of ANZSRC FoR 2020 and OECD FORD (tests/fixtures/skos/SOURCE.md)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from graph.errors import InputError
from ingest.readers.base import ReadItem, head_text
from ingest.readers.skos import SkosReader
from ingest.records import Origin, Subject
from ingest.report import Reject
from tests.conftest import FIXTURES, shared_data

SKOS_DIR = FIXTURES / "skos"
FOR = "https://linked.data.gov.au/def/anzsrc-for/2020"
FOR_LABEL = "ANZSRC 2020 Fields of Research"
FORD_LABEL = "OECD Fields of Research and Development (FORD), Frascati Manual 2015"


def read(name: str | Path, source: str = "skos-test") -> list[ReadItem]:
    path = name if isinstance(name, Path) else SKOS_DIR / name
    return list(SkosReader().read(path, source))


def subjects(items: list[ReadItem]) -> list[Subject]:
    return [i for i in items if isinstance(i, Subject)]


def problems(items: list[ReadItem]) -> list[Reject]:
    return [i for i in items if isinstance(i, Reject)]


def for_concept(code: str, line: int, label: str, broader: str | None, definition: str | None = None) -> Subject:
    return Subject(
        origin=Origin("skos-test", line, f"{FOR}/{code}"),
        iri=f"{FOR}/{code}",
        label=label,
        scheme=FOR,
        scheme_label=FOR_LABEL,
        notation=code,
        definition=definition,
        broader=(f"{FOR}/{broader}",) if broader else (),
    )


ANZSRC_GOLDEN = [
    for_concept("510201", 4, "Atomic and molecular physics", "5102"),
    for_concept("510202", 10, "Lasers and quantum electronics", "5102"),
    for_concept(
        "5102",
        16,
        "Atomic, molecular and optical physics",
        "51",
        "This group covers atomic, molecular and optical physics.",
    ),
    for_concept("5108", 24, "Quantum physics", "51", "This group covers quantum physics."),
    for_concept(
        "51",
        33,
        "Physical sciences",
        None,
        "This division covers the physical sciences. It includes biological physics (other than human "
        "biophysics), medical physics and synchrotron and accelerator technologies.",
    ),
    for_concept("340601", 41, "Catalysis and mechanisms of reactions", "3406"),
    for_concept("3406", 47, "Physical chemistry", "34", "This group covers physical chemistry."),
    for_concept("34", 59, "Chemical sciences", None, "This division covers the chemical sciences."),
]


def test_anzsrc_golden() -> None:
    assert read("anzsrc_sample.ttl") == ANZSRC_GOLDEN


def test_scope_notes_are_not_definitions() -> None:
    by_code = {s.notation: s for s in subjects(read("anzsrc_sample.ttl"))}
    assert by_code["5108"].definition == "This group covers quantum physics."
    assert by_code["510201"].definition is None


def test_oecd_keeps_urn_iris() -> None:
    items = read("oecd_sample.ttl")
    assert problems(items) == []
    assert [(s.iri, s.origin.line, s.label, s.broader) for s in subjects(items)] == [
        ("urn:x-oecd-ford-2015:1.3", 3, "Physical sciences", ("urn:x-oecd-ford-2015:1",)),
        ("urn:x-oecd-ford-2015:1.4", 9, "Chemical sciences", ("urn:x-oecd-ford-2015:1",)),
        ("urn:x-oecd-ford-2015:1", 15, "Natural sciences", ()),
        ("urn:x-oecd-ford-2015:2.10", 21, "Nano-technology", ("urn:x-oecd-ford-2015:2",)),
        ("urn:x-oecd-ford-2015:2", 27, "Engineering and technology", ()),
    ]
    assert {(s.scheme, s.scheme_label) for s in subjects(items)} == {("urn:x-oecd-ford-2015", FORD_LABEL)}
    assert [s.notation for s in subjects(items)] == ["1.3", "1.4", "1", "2.10", "2"]


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("anzsrc_sample.rdf", [3, 9, 15, 23, 32, 40, 46, 58]),
        ("anzsrc_sample.jsonld", [3, 32, 61, 102, 143, 184, 213, 254]),
        ("anzsrc_sample.nt", [1, 6, 11, 18, 25, 32, 37, 44]),
    ],
)
def test_other_syntaxes_give_the_same_concepts(name: str, lines: list[int]) -> None:
    items = read(name)
    assert len(items) == len(ANZSRC_GOLDEN)
    assert [s.origin.line for s in subjects(items)] == lines
    moved = [replace(s, origin=Origin("skos-test", 1, s.iri)) for s in subjects(items)]
    assert moved == [replace(s, origin=Origin("skos-test", 1, s.iri)) for s in ANZSRC_GOLDEN]


def test_damaged_concepts() -> None:
    items = read("anzsrc_damaged.ttl")
    assert problems(items) == [
        Reject("skos-test", 9, f"{FOR}/510202", "skos:prefLabel", "concept has no skos:prefLabel; add one")
    ]
    by_code = {s.notation: s for s in subjects(items)}
    assert len(by_code) == 7
    assert by_code["510201"].broader == (f"{FOR}/5102",)  # stated only as skos:narrower of 5102
    assert by_code["5102"].definition is None  # a scopeNote only
    assert by_code["51"].label == "Physical sciences"  # @en before the untagged upper-case label
    assert by_code["34"].alt_labels == ("CHEMICAL SCIENCES",)  # the altLabel equal to the prefLabel is dropped
    assert by_code["340601"].scheme == FOR  # no skos:inScheme: the file's only scheme


def test_untagged_label_wins_over_other_languages(tmp_path: Path) -> None:
    text = (SKOS_DIR / "oecd_sample.ttl").read_text()
    text = text.replace('"Physical sciences"@en', '"Physique"@fr')
    text = text.replace('skos:prefLabel "Chemical sciences"@en', 'skos:prefLabel "Chimie"@fr, "Chemical sciences"')
    path = tmp_path / "ford.ttl"
    path.write_text(text)
    labels = [s.label for s in subjects(read(path))]
    assert labels[:2] == ["Physique", "Chemical sciences"]


def test_scheme_label_falls_back_to_dcterms_title(tmp_path: Path) -> None:
    text = (
        (SKOS_DIR / "oecd_sample.ttl")
        .read_text()
        .replace(
            "<urn:x-oecd-ford-2015> a skos:ConceptScheme ;\n    skos:prefLabel",
            "<urn:x-oecd-ford-2015> a skos:ConceptScheme ;\n    <http://purl.org/dc/terms/title>",
        )
    )
    path = tmp_path / "ford.ttl"
    path.write_text(text)
    assert {s.scheme_label for s in subjects(read(path))} == {FORD_LABEL}


def test_concept_without_scheme_among_several() -> None:
    items = read("two_schemes.ttl")
    assert problems(items) == [
        Reject(
            "skos-test",
            10,
            "urn:x-oecd-ford-2015:1.4",
            "skos:inScheme",
            "concept has no skos:inScheme and the file declares 2 concept schemes; add skos:inScheme",
        )
    ]
    assert len(subjects(items)) == 4


def test_syntax_error_is_one_problem() -> None:
    items = read("anzsrc_broken.ttl")
    assert len(items) == 1
    problem = items[0]
    assert isinstance(problem, Reject)
    assert (problem.line, problem.record_id, problem.field) == (29, None, None)
    assert problem.reason.startswith("not valid Turtle:")
    assert "A dot is expected" in problem.reason


def test_rdf_xml_error_without_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.rdf"
    path.write_text((SKOS_DIR / "anzsrc_sample.rdf").read_text().replace("</skos:Concept>", "", 1))
    [problem] = read(path)
    assert isinstance(problem, Reject)
    assert problem.reason.startswith("not valid RDF/XML:")


def test_file_without_concepts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scheme.ttl"
    path.write_text((SKOS_DIR / "oecd_sample.ttl").read_text().replace("a skos:Concept ;", "a skos:Collection ;"))
    with pytest.raises(InputError, match="no skos:Concept"):
        read(path)


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ford.csv"
    path.write_text("code,label\n")
    with pytest.raises(InputError, match="not an RDF file suffix"):
        read(path)


def test_sniff() -> None:
    reader = SkosReader()
    for name in ("anzsrc_sample.ttl", "anzsrc_sample.rdf", "anzsrc_sample.jsonld", "anzsrc_sample.nt"):
        path = SKOS_DIR / name
        assert reader.sniff(path, head_text(path)), name
    ontology_head = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\nobo:IAO_0000115 a owl:AnnotationProperty ."
    )
    assert not reader.sniff(Path("panet.ttl"), ontology_head)
    assert not reader.sniff(Path("ford.csv"), "code,level,label,parent_code\n")


def test_full_anzsrc() -> None:
    path = shared_data("subjects-anzsrc-for-2020") / "anzsrc_for_2020.ttl"
    started = time.perf_counter()
    items = read(path, "anzsrc-for-2020")
    elapsed = time.perf_counter() - started
    found = subjects(items)
    assert problems(items) == []
    assert len(found) == 2203  # SOURCE.md: 23 divisions + 213 groups + 1,967 fields
    assert sum(1 for s in found if not s.broader) == 23
    assert sum(1 for s in found if len(s.notation or "") == 4) == 213
    assert all(s.origin.line > 1 and s.scheme_label == FOR_LABEL for s in found)
    assert elapsed < 2.0


def test_full_oecd_ford() -> None:
    items = read(shared_data("subjects-oecd-ford") / "oecd_ford_2015.ttl", "oecd-ford")
    found = subjects(items)
    assert problems(items) == []
    assert len(found) == 48  # SOURCE.md: 6 major fields and 42 fields
    assert sum(1 for s in found if not s.broader) == 6
    assert all(s.iri.startswith("urn:x-oecd-ford-2015:") for s in found)
