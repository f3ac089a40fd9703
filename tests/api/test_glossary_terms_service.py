"""A deployment's own Chinese terms (``SHAREKG_GLOSSARY_TERMS``) through the running service: the index built without
them is stale and rebuilt in the background, and a need in Chinese is read with them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.search import Embedder
from tests.api.conftest import Service, start

TERMS = "chinese,english\n圆二色光谱仪,circular dichroism spectrophotometer\n"


@pytest.fixture
def with_terms(tmp_path: Path, template: Path, embedder: Embedder) -> Iterator[Service]:
    terms = tmp_path / "terms.csv"
    terms.write_text(TERMS, encoding="utf-8")
    yield from start(template, tmp_path / "data", embedder, glossary_terms=terms)


def test_the_service_reads_chinese_needs_with_the_deployments_terms(with_terms: Service) -> None:
    client = with_terms.client
    deadline = time.monotonic() + 120
    while not client.get("/health").json()["index_current"]:  # built without the terms: rebuilt in the background
        assert time.monotonic() < deadline, "the index was not rebuilt with the glossary terms"
        time.sleep(0.2)
    body = client.post(
        "/match", json={"text": "需要圆二色光谱仪测定蛋白质的二级结构", "types": ["Instrument"], "k": 1}
    ).json()
    top = body["results"]["Instrument"][0]
    assert "Circular Dichroism" in top["label"]
    glossed = {entry["source"]: entry["terms"] for entry in top["explanation"]["glossary"]}
    assert glossed["圆二色光谱仪"] == ["circular dichroism spectrophotometer"]
    assert {"circular", "dichroism", "spectrophotometer"} <= set(top["explanation"]["matched_terms"])
