"""Chinese in the graph: language-tagged labels kept end to end, and shown in the reader's language.

The graph is the service's fixture graph plus one more source, written for this test, that gives every NMR
instrument a Chinese label and description beside its English (untagged) ones, as a translation source would.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from api.languages import languages, pick
from graph.search import Embedder, EmbeddingCache
from graph.search.index import index_folder, open_index
from graph.store import SparqlStore, open_store
from graph.store.neo4j_store import literal_from, literal_key
from ontology.terms import DCT, RDFS_, SKG
from tests.api.conftest import Service, start
from tests.api.test_service import NMR_NEED

NMR_ZH = "核磁共振波谱仪"
DESCRIPTION_ZH = "用于确定合成有机分子结构的核磁共振波谱仪。"
NMR_INSTRUMENTS = f"""SELECT DISTINCT ?s WHERE {{
  ?s a <{SKG.Instrument.value}> ; <{RDFS_.label.value}> ?label . FILTER(CONTAINS(?label, "NMR"))
}} ORDER BY ?s"""


@dataclass
class Bilingual:
    service: Service
    iris: list[str]  # the instruments with a Chinese label

    @property
    def rid(self) -> str:
        return self.iris[0].removeprefix("https://w3id.org/sharekg/id/")


def _nmr_instruments(store: SparqlStore) -> list[str]:
    # a function of its own: the query's rows hold the database open, and it is copied once closed
    rows = store.query(NMR_INSTRUMENTS)
    assert isinstance(rows, ox.QuerySolutions)
    return [row["s"].value for row in rows]


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory, template: Path, embedder: Embedder) -> Iterator[Bilingual]:
    folder = tmp_path_factory.mktemp("bilingual")
    shutil.copytree(template, folder, dirs_exist_ok=True)
    store = open_store(folder / "store")
    iris = _nmr_instruments(store)
    assert iris, "the fixture graph has NMR instruments"
    triples = [
        t
        for iri in iris
        for t in (
            (ox.NamedNode(iri), RDFS_.label, ox.Literal(NMR_ZH, language="zh")),
            (ox.NamedNode(iri), DCT.description, ox.Literal(DESCRIPTION_ZH, language="zh")),
        )
    ]
    store.replace_source("labels-zh", "r1", triples, "labels-zh-1")
    cache = EmbeddingCache(folder / "embeddings.sqlite")
    open_index(store, embedder, cache, index_folder(folder, embedder.name))
    cache.close()
    store.close()
    for service in start(folder, tmp_path_factory.mktemp("bilingual-api"), embedder):
        yield Bilingual(service, iris)


def test_the_reader_languages_come_from_the_header_or_the_parameter() -> None:
    assert languages("zh-CN,zh;q=0.9,en;q=0.8") == ("zh-cn", "zh", "en")
    assert languages("en;q=0.2, de, *;q=0.1, fr;q=0") == ("de", "en")
    assert languages("zh", "EN") == ("en",)  # the parameter overrides the header
    assert languages(None) == () and languages(";;,q=x, ;q=abc, zh_CN") == () and languages("x", "?") == ("x",)
    texts = {"": "NMR spectrometer", "zh": NMR_ZH, "en-gb": "NMR spectrometer (UK)"}
    assert pick(texts, ("zh-tw",), "x") == NMR_ZH  # same primary subtag
    assert pick(texts, ("en",), "x") == "NMR spectrometer (UK)"
    assert pick(texts, ("de",), "x") == "NMR spectrometer"  # the untagged original
    assert pick({"zh": NMR_ZH}, ("en",), "as written") == "as written"


def test_match_shows_labels_in_the_reader_language(bilingual: Bilingual) -> None:
    c = bilingual.service.client
    body = {"text": NMR_NEED, "types": ["Instrument"], "k": 10}

    def labels(**kwargs: object) -> dict[str, str]:
        r = c.post("/match", **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 200, r.text
        return {x["iri"]: x["label"] for x in r.json()["results"]["Instrument"] if x["iri"] in bilingual.iris}

    plain = labels(json=body)
    assert plain and all("NMR" in label for label in plain.values())
    assert set(labels(json=body, headers={"Accept-Language": "zh-CN,zh;q=0.9"}).values()) == {NMR_ZH}
    assert set(labels(json={**body, "lang": "zh"}).values()) == {NMR_ZH}
    assert labels(json={**body, "lang": "en"}, headers={"Accept-Language": "zh"}) == plain  # lang overrides
    assert labels(json=body, headers={"Accept-Language": "de"}) == plain  # no German label: the original


def test_browsing_shows_labels_in_the_reader_language(bilingual: Bilingual) -> None:
    c = bilingual.service.client
    params = {"type": "Instrument", "limit": 200}
    plain = c.get("/resources", params=params).json()["items"]
    chinese = c.get("/resources", params=params, headers={"Accept-Language": "zh"}).json()["items"]
    assert [i["id"] for i in plain] == [i["id"] for i in chinese]  # the same page, in the same order
    ours = [i for i in chinese if i["iri"] in bilingual.iris]
    assert len(ours) == len(bilingual.iris) and all(i["label"] == NMR_ZH for i in ours)
    assert all("NMR" in i["label"] for i in plain if i["iri"] in bilingual.iris)
    others = {i["id"]: i["label"] for i in plain if i["iri"] not in bilingual.iris}
    assert others == {i["id"]: i["label"] for i in chinese if i["iri"] not in bilingual.iris}  # no Chinese: as written


def test_resource_page_in_the_reader_language(bilingual: Bilingual) -> None:
    c = bilingual.service.client
    english = c.get(f"/resources/{bilingual.rid}").json()
    assert "NMR" in english["label"] and english["description"] != DESCRIPTION_ZH
    for chinese in (
        c.get(f"/resources/{bilingual.rid}", headers={"Accept-Language": "zh-CN"}).json(),
        c.get(f"/resources/{bilingual.rid}", params={"lang": "zh"}, headers={"Accept-Language": "en"}).json(),
    ):
        assert chinese["label"] == NMR_ZH and chinese["description"] == DESCRIPTION_ZH
        properties = {p["predicate"]: p for p in chinese["properties"]}
        assert properties[SKG.hostedBy.value]["label"] == "依托单位"  # the ontology's @zh label
        labels = {(v["value"], v["lang"]) for v in properties[RDFS_.label.value]["values"]}
        assert (NMR_ZH, "zh") in labels and (english["label"], None) in labels  # every label, tagged
    assert {p["label"] for p in english["properties"]} >= {"hosted by"}


def test_language_tags_survive_json_ld_turtle_sparql_and_the_neo4j_mapping(bilingual: Bilingual) -> None:
    c = bilingual.service.client
    chinese = ox.Literal(NMR_ZH, language="zh")
    document = c.get(f"/resources/{bilingual.rid}", headers={"Accept": "application/ld+json"}).json()
    assert {"@value": NMR_ZH, "@language": "zh"} in document["rdfs:label"]
    document["@context"] = c.get("/context.jsonld").json()["@context"]
    from_jsonld = set(ox.parse(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD))
    turtle = c.get(f"/resources/{bilingual.rid}", params={"format": "turtle"})
    assert f'"{NMR_ZH}"@zh' in turtle.text
    from_turtle = set(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    subject = ox.NamedNode(bilingual.iris[0])
    assert from_jsonld == from_turtle and ox.Quad(subject, RDFS_.label, chinese) in from_turtle

    query = f"SELECT ?label WHERE {{ <{bilingual.iris[0]}> <{RDFS_.label.value}> ?label }}"
    bindings = c.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert {"type": "literal", "value": NMR_ZH, "xml:lang": "zh"} in [b["label"] for b in bindings]

    statements = bilingual.service.store.describe(bilingual.iris[0])
    literals = [(p, o) for p, o in statements if isinstance(o, ox.Literal)]
    assert (RDFS_.label, chinese) in literals
    for predicate, literal in literals:  # as a Neo4j node property and back
        assert literal_from(literal_key(predicate.value, literal), literal.value) == (predicate, literal)
    assert literal_key(RDFS_.label.value, chinese) == "rdfs__label@zh"
