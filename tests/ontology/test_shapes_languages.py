"""The shapes accept names, titles and descriptions in any language (``"…"@zh``), on both validation paths."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ingest.validate import compile_shapes, validate_with_pyshacl
from ontology.terms import DCT, RDF_, RDFS_, SKG

INSTRUMENT = ox.NamedNode("https://w3id.org/sharekg/id/instrument/test-zh/0001")
DATASET = ox.NamedNode("https://w3id.org/sharekg/id/dataset/test-zh/0001")

Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


def _chinese_records(name: ox.NamedNode | ox.Literal) -> list[Triple]:
    """An instrument and a dataset written for this test, as a Chinese catalogue's records would map."""
    return [
        (INSTRUMENT, RDF_.type, SKG.Instrument),
        (INSTRUMENT, RDFS_.label, name),
        (INSTRUMENT, SKG.localId, ox.Literal("0001")),
        (INSTRUMENT, DCT.description, ox.Literal("用于确定有机分子结构。", language="zh")),
        (DATASET, RDF_.type, SKG.Dataset),
        (DATASET, RDFS_.label, ox.Literal("城市空气质量监测数据", language="zh")),
        (DATASET, DCT.title, ox.Literal("城市空气质量监测数据", language="zh")),
        (DATASET, SKG.localId, ox.Literal("0001")),
        (DATASET, DCT.description, ox.Literal("Hourly readings of city air quality.", language="en")),
    ]


def _both(triples: list[Triple]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    fast = {(v.focus, v.path) for v in compile_shapes().validate(triples)}
    reference = set(validate_with_pyshacl("\n".join(f"{s} {p} {o} ." for s, p, o in triples)))
    return fast, reference


@pytest.mark.parametrize("name", [ox.Literal("核磁共振波谱仪", language="zh"), ox.Literal("NMR spectrometer")])
def test_names_and_descriptions_in_any_language_are_valid(name: ox.Literal) -> None:
    assert _both(_chinese_records(name)) == (set(), set())


def test_a_name_that_is_not_text_is_still_refused_on_both_paths() -> None:
    fast, reference = _both(_chinese_records(ox.NamedNode("https://example.org/not-a-name")))
    assert fast == reference == {(INSTRUMENT.value, RDFS_.label.value)}
