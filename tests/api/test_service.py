"""The HTTP API over a small real graph: matching, browsing, content negotiation, errors as problem documents."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from tests.api.conftest import Service

PROBLEM = "application/problem+json"
NMR_NEED = "We need NMR spectroscopy to characterise the organic compounds we synthesise"


def assert_problem(response: object, status: int, *words: str) -> dict[str, object]:
    r = response  # httpx.Response
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    assert "Traceback" not in json.dumps(body)
    for word in words:
        assert word in str(body["detail"]), body
    return body


def test_health_says_what_it_serves(service: Service) -> None:
    body = service.client.get("/health").json()
    assert body["status"] == "ok" and body["sources"] == 6 and body["resources"] > 20 and body["index_current"]


def test_match_answers_per_type_with_explanations_and_logs_the_need(service: Service) -> None:
    r = service.client.post("/match", json={"text": NMR_NEED, "k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["results"]) == {"Instrument", "Facility", "Dataset", "Expert"}
    top = body["results"]["Instrument"][0]
    assert "NMR" in top["label"] and top["iri"].endswith(top["id"])
    assert top["explanation"]["summary"] and "NMR" in top["explanation"]["matched_terms"]
    assert top["explanation"]["path"][0]["label"] == "your need"
    assert any(step["id"] == top["id"] for step in top["explanation"]["path"])
    assert body["need_id"] >= 1
    key = {"X-API-Key": service.admin_key}  # reverse matching reads students' needs: a centre or admin key
    fits = service.client.get(f"/resources/{top['id']}/matches", headers=key).json()
    assert any(n["text"] == NMR_NEED for n in fits["needs"])


def test_filters_apply_before_ranking(service: Service) -> None:
    filters = {"organization": "Delaware State University"}
    r = service.client.post("/match", json={"text": NMR_NEED, "types": ["Instrument"], "filters": filters})
    results = r.json()["results"]
    assert list(results) == ["Instrument"] and results["Instrument"]
    assert all("Delaware" in x["organization"] for x in results["Instrument"])


def test_match_names_the_chinese_words_it_read_character_by_character(service: Service) -> None:
    need = "用X射线衍射表征钙钛矿太阳能电池薄膜的晶体结构"  # 钙钛矿 (perovskite) is not in CC-CEDICT
    body = service.client.post("/match", json={"text": need, "types": ["Instrument"], "k": 1}).json()
    assert body["unknown_words"] == ["钙钛矿"]
    english = service.client.post("/match", json={"text": NMR_NEED, "types": ["Instrument"], "k": 1}).json()
    assert english["unknown_words"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": 42}, "text"),
        ({"text": "NMR", "k": 0}, "k"),
        ({"text": "NMR", "k": 1000}, "k"),
        ({"text": "NMR", "k": True}, "k"),  # not read as 1
        ({"text": "NMR", "k": "5"}, "k"),
        ({"text": "NMR", "team": {"consent_to_log": "yes"}}, "team.consent_to_log"),  # consent is given, not guessed
        ({"text": "NMR", "types": ["Telescope"]}, "types"),
        ({"text": "NMR", "filters": {"colour": "red"}}, "filters.colour"),
        ({"need": "NMR"}, "text"),
    ],
)
def test_bad_match_requests_name_the_field(service: Service, body: dict[str, object], field: str) -> None:
    problem = assert_problem(service.client.post("/match", json=body), 422)
    assert any(e["field"].startswith(field) for e in problem["errors"])  # type: ignore[attr-defined]


def test_unknown_filter_values_are_reported_not_ignored(service: Service) -> None:
    r = service.client.post("/match", json={"text": NMR_NEED, "filters": {"city": "Atlantis"}})
    assert_problem(r, 422, "unknown city", "Atlantis")


def test_whitespace_need_is_refused(service: Service) -> None:
    assert_problem(service.client.post("/match", json={"text": "   \n "}), 422)


def test_bundle_joins_an_instrument_with_its_people(service: Service) -> None:
    r = service.client.post("/match/bundle", json={"text": NMR_NEED, "k": 2})
    bundles = r.json()["bundles"]
    assert 1 <= len(bundles) <= 2
    roles = [m["role"] for m in bundles[0]["members"]]
    assert roles[0] == "instrument" and "expert" in roles


def test_resources_search_pages_and_facets(service: Service) -> None:
    everything = service.client.get("/resources", params={"limit": 5}).json()
    assert everything["total"] > 20 and len(everything["items"]) == 5
    assert sum(f["count"] for f in everything["facets"]["type"]) == everything["total"]
    second = service.client.get("/resources", params={"limit": 5, "offset": 5}).json()
    assert not {i["id"] for i in everything["items"]} & {i["id"] for i in second["items"]}
    found = service.client.get("/resources", params={"q": "NMR", "type": "Instrument"}).json()
    assert found["items"] and all(i["type"] == "Instrument" for i in found["items"])
    assert "NMR" in found["items"][0]["label"] and found["items"][0]["score"] > 0
    assert_problem(service.client.get("/resources", params={"limit": 10_000}), 422, "at most")


def _an_instrument(service: Service) -> str:
    item = service.client.get("/resources", params={"q": "NMR", "type": "Instrument"}).json()["items"][0]
    return str(item["id"])


def test_resource_as_json_with_access_and_neighbours(service: Service) -> None:
    rid = _an_instrument(service)
    body = service.client.get(f"/resources/{rid}").json()
    assert body["type"] == "Instrument" and "NMR" in body["label"]
    assert body["access"]["organization"]
    predicates = {p["label"] for p in body["properties"]}
    assert "label" in predicates
    hosted = [v for p in body["properties"] for v in p["values"] if v["iri"] and v["id"]]
    assert hosted and all(v["label"] for v in hosted)


def test_resource_as_jsonld_reads_back_as_the_same_triples_as_turtle(service: Service) -> None:
    rid = _an_instrument(service)
    jsonld = service.client.get(f"/resources/{rid}", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    turtle = service.client.get(f"/resources/{rid}", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    context = service.client.get("/context.jsonld").json()
    document = jsonld.json()
    document["@context"] = context["@context"]  # the published context, inlined (no network in tests)
    from_jsonld = set(ox.parse(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD))
    from_turtle = set(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    assert from_jsonld == from_turtle and len(from_turtle) > 3


def test_content_negotiation_errors(service: Service) -> None:
    rid = _an_instrument(service)
    assert_problem(service.client.get(f"/resources/{rid}", headers={"Accept": "image/png"}), 406)
    assert service.client.get(f"/resources/{rid}", params={"format": "turtle"}).text.startswith("@prefix")
    assert_problem(service.client.get("/resources/instrument/nowhere/0"), 404, "GET /resources")
    assert_problem(service.client.get("/resources/http://evil.example/x"), 404)


def test_unknown_routes_and_methods_are_problems(service: Service) -> None:
    assert_problem(service.client.get("/nothing-here"), 404, "/docs")
    assert_problem(service.client.delete("/match"), 405)


def test_openapi_documents_every_endpoint(service: Service) -> None:
    paths = service.client.get("/openapi.json").json()["paths"]
    for path in ("/match", "/match/bundle", "/resources", "/resources/{rid}", "/sparql", "/ingest", "/health"):
        assert path in paths, path


def test_web_page_is_served(service: Service) -> None:
    r = service.client.get("/", follow_redirects=True)
    assert r.status_code == 200 and "sharekg" in r.text
