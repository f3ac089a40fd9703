"""Golden tests of the OpenAlex reader on real author and work lines of openalex-experts."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import TypeVar

import pytest

from graph.errors import InputError
from ingest.readers.base import ReadItem, head_text
from ingest.readers.openalex import OpenAlexReader
from ingest.records import Expert, Organization, OrgRef, Origin, Place, Work
from ingest.report import Reject
from tests.conftest import FIXTURES, shared_data

T = TypeVar("T")
SOURCE = "openalex-test"
GOLDEN = FIXTURES / "openalex" / "authors.jsonl"
KFUPM = "King Fahd University of Petroleum and Minerals"


def read(path: Path) -> list[ReadItem]:
    return list(OpenAlexReader().read(path, SOURCE))


def of_type(items: list[ReadItem], kind: type[T]) -> list[T]:
    return [i for i in items if isinstance(i, kind)]


def experts_by_id(items: list[ReadItem]) -> dict[str, Expert]:
    return {e.local_id: e for e in of_type(items, Expert)}


def test_golden_rows_load_without_problems() -> None:
    items = read(GOLDEN)
    assert not of_type(items, Reject)
    experts = of_type(items, Expert)
    assert [(e.origin.line, e.local_id) for e in experts] == [
        (1, "A400295131"),
        (2, "A5002041459"),
        (3, "A5002859780"),
        (4, "A5051867931"),
        (5, "A5080859432"),
        (6, "A5114504290"),
    ]
    assert [len(e.works) for e in experts] == [0, 12, 8, 8, 3, 3]
    assert len({w.local_id for e in experts for w in e.works}) == 34
    assert len(of_type(items, Organization)) == 6


def test_expert_key_fields() -> None:
    experts = experts_by_id(read(GOLDEN))
    athaa = experts["A5080859432"]
    assert athaa.origin == Origin(SOURCE, 5, "A5080859432")
    assert athaa.name == "Athaa Al-Otaibi"
    assert athaa.alt_names == ("Athaa Alotaibi",)
    assert athaa.affiliations == (OrgRef(KFUPM), OrgRef("Imam Abdulrahman Bin Faisal University"))
    assert athaa.place == Place(country="SA")
    assert athaa.orcid is None
    assert athaa.external_ids == ("openalex:A5080859432",)
    assert athaa.keywords == (
        "Perovskite Materials and Applications",
        "Luminescence Properties of Advanced Materials",
        "Enhanced Oil Recovery Techniques",
        "Magnetic and transport properties of perovskites and related materials",
        "Advanced Condensed Matter Physics",
        "Center for Integrative Petroleum Research",
        "Multiscale and Multiphysics Modeling",
    )
    assert [w.local_id for w in athaa.works] == ["W4409768904", "W4308308019", "W3165521513"]
    nikolaos = experts["A5002041459"]
    assert nikolaos.orcid == "https://orcid.org/0000-0002-6113-9589"
    assert nikolaos.affiliations == tuple(
        OrgRef(n) for n in ("Saudi Aramco (Saudi Arabia)", "Saudi Aramco (United States)", "Imperial College London")
    )  # current first, then by the latest year there (2021, 2014)
    husam = experts["A400295131"]
    assert (husam.affiliations, husam.place, husam.works) == ((), Place(), ())
    assert husam.keywords[-3:] == (
        "Geosciences",
        "Center for Integrative Petroleum Research",
        "Integrative Members",
    )


def test_works_key_fields() -> None:
    works = {w.local_id: w for e in of_type(read(GOLDEN), Expert) for w in e.works}
    preprint = works["W3165521513"]
    assert preprint.title == (
        "Structural, Optical and Photocatalytic Activity of The Cerium Doped Ba2TiMoO6 Double Perovskite."
    )
    assert preprint.year == 2021
    assert preprint.doi == "https://doi.org/10.21203/rs.3.rs-548214/v1"
    assert preprint.kind == "paper"
    assert preprint.venue is None
    assert preprint.abstract is not None
    assert preprint.abstract.startswith("Abstract In this work, it was highlighted synthesis strategy")
    assert "Ce doped Ba2TiMoO6 with" in preprint.abstract  # Ba<sub>2</sub>TiMoO<sub>6</sub> in OpenAlex
    assert preprint.keywords[:3] == ("Photocatalysis", "Doping", "Perovskite (structure)")
    assert preprint.keywords[-3:] == (
        "Perovskite Materials and Applications",
        "Magnetic and transport properties of perovskites and related materials",
        "Advanced Condensed Matter Physics",
    )
    assert works["W4394078902"].kind == "dataset"
    assert works["W2991480490"].kind == "paper"  # book chapter
    assert works["W57810535"] == Work(
        local_id="W57810535",
        title=(
            "Histoire géologique de la bordure occidentale de la plateforme arabe du paléozoïque inférieur "
            "au jurassique supérieur : (en 4 livres)"
        ),
        abstract=works["W57810535"].abstract,
        year=1987,
        kind="paper",  # dissertation
        keywords=(
            "Humanities",
            "Geology",
            "Art",
            "Geological and Geophysical Studies Worldwide",
            "Geological formations and processes",
            "Paleontology and Stratigraphy of Fossils",
        ),
    )
    assert works["W4308308019"].abstract is None
    assert works["W2276535086"].venue == "OakTrust (Texas A&M University Libraries)"
    assert not [w for w in works.values() if "<" in w.title + (w.abstract or "")]


def test_organizations_once_each_with_ror_and_country() -> None:
    organizations = of_type(read(GOLDEN), Organization)
    assert [o.name for o in organizations] == [
        "Saudi Aramco (Saudi Arabia)",
        "Saudi Aramco (United States)",
        "Imperial College London",
        "Bureau de Recherches Géologiques et Minières",
        KFUPM,
        "Imam Abdulrahman Bin Faisal University",
    ]
    by_name = {o.name: o for o in organizations}
    assert by_name[KFUPM] == Organization(
        Origin(SOURCE, 5, "https://ror.org/03yez3163"),
        KFUPM,
        place=Place(country="SA"),
        ror="https://ror.org/03yez3163",
    )


def test_bad_lines_are_reported_and_good_lines_still_load() -> None:
    items = read(FIXTURES / "openalex" / "bad" / "authors.jsonl")
    problems = [(p.line, p.record_id, p.field, p.severity) for p in of_type(items, Reject)]
    assert problems == [
        (2, None, None, "error"),  # works.jsonl lines first
        (3, "W4409606200", "doi", "error"),
        (5, "W4404014036", "work_id", "error"),
        (6, "W4308308019", "title", "error"),
        (7, "W3165521513", "publication_year", "error"),
        (1, "A5114504290", "work_ids[1]", "warning"),  # then authors.jsonl
        (2, None, None, "error"),
        (3, "A5080859432", "orcid", "error"),
        (4, "A5002859780", "affiliations[0].ror", "error"),
        (5, "A5051867931", "name", "error"),
        (6, "A400295131", "work_ids[0]", "warning"),
        (7, "A5002041459", "affiliations[1].years", "error"),
        (8, "A5080859432", "topics[0].name", "error"),
        (9, "A5080859432", "work_ids[1]", "warning"),
    ]
    reasons = [p.reason for p in of_type(items, Reject)]
    assert all(r.startswith("works.jsonl: ") for r in reasons[:5])
    assert "already on line 4" in reasons[2]
    assert "W4409606200 was rejected (works.jsonl line 3)" in reasons[5]
    assert "W1000000001 is not in works.jsonl" in reasons[10]
    assert "checksum" in reasons[7]
    experts = experts_by_id(items)
    assert list(experts) == ["A5114504290", "A400295131", "A5080859432"]
    assert [w.local_id for w in experts["A5114504290"].works] == ["W4412490215", "W4404014036"]
    athaa = experts["A5080859432"]  # bare ORCID, a work id as URL, a bare DOI: all normalised
    assert athaa.orcid == "https://orcid.org/0000-0002-1825-0097"
    assert [(w.local_id, w.doi) for w in athaa.works] == [
        ("W4409768904", "https://doi.org/10.1021/acs.energyfuels.5c00596")
    ]


def test_authors_load_without_works_file_with_one_warning(tmp_path: Path) -> None:
    authors = shutil.copy(GOLDEN, tmp_path / "authors.jsonl")
    items = read(Path(authors))
    problems = of_type(items, Reject)
    assert [(p.line, p.severity) for p in problems] == [(None, "warning")]
    assert "no works.jsonl" in problems[0].reason
    experts = of_type(items, Expert)
    assert len(experts) == 6
    assert all(e.works == () for e in experts)


def test_sniff_and_wrong_inputs(tmp_path: Path) -> None:
    reader = OpenAlexReader()
    assert reader.sniff(GOLDEN, head_text(GOLDEN))
    works = FIXTURES / "openalex" / "works.jsonl"
    nsf = FIXTURES / "nsf-pi" / "experts.jsonl"
    assert not reader.sniff(works, head_text(works))
    assert not reader.sniff(nsf, head_text(nsf))
    with pytest.raises(InputError, match="not an OpenAlex authors file"):
        read(nsf)
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "authors.jsonl")


def test_whole_folder_matches_source_counts() -> None:
    items = read(shared_data("openalex-experts") / "authors.jsonl")
    assert not of_type(items, Reject)
    experts = of_type(items, Expert)
    assert len(experts) == 124
    assert sum(1 for e in experts if e.orcid) == 96
    current = Counter(e.affiliations[0].name for e in experts if e.affiliations)
    assert (current[KFUPM], current["Saudi Aramco (Saudi Arabia)"]) == (84, 10)
    works = {w.local_id: w for e in experts for w in e.works}
    assert len(works) == 2549
    assert sum(1 for w in works.values() if w.abstract) == 2052
    assert Counter(w.kind for w in works.values())["dataset"] == 29
    assert len(of_type(items, Organization)) == 286
