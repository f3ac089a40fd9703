"""The SPARQL 1.1 Protocol endpoint: formats, read-only, limits."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pyoxigraph as ox

from tests.api.conftest import Service
from tests.api.test_service import assert_problem

INSTRUMENTS = "PREFIX skg: <https://w3id.org/sharekg/ns#> SELECT ?s ?label WHERE { ?s a skg:Instrument ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label LIMIT 5"  # noqa: E501


def test_select_as_json_xml_csv_tsv(service: Service) -> None:
    c = service.client
    body = c.get("/sparql", params={"query": INSTRUMENTS}).json()
    assert body["head"]["vars"] == ["s", "label"] and len(body["results"]["bindings"]) == 5
    assert body["results"]["bindings"][0]["s"]["type"] == "uri"
    xml = c.get("/sparql", params={"query": INSTRUMENTS}, headers={"Accept": "application/sparql-results+xml"})
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert len(ET.fromstring(xml.content).findall(".//r:result", ns)) == 5
    rows = list(
        csv.reader(io.StringIO(c.get("/sparql", params={"query": INSTRUMENTS}, headers={"Accept": "text/csv"}).text))
    )
    assert rows[0] == ["s", "label"] and len(rows) == 6
    tsv = c.get("/sparql", params={"query": INSTRUMENTS}, headers={"Accept": "text/tab-separated-values"}).text
    assert tsv.splitlines()[0] == "?s\t?label" and tsv.splitlines()[1].startswith("<https://")


def test_post_form_and_direct_query(service: Service) -> None:
    c = service.client
    assert len(c.post("/sparql", data={"query": INSTRUMENTS}).json()["results"]["bindings"]) == 5
    r = c.post("/sparql", content=INSTRUMENTS, headers={"Content-Type": "application/sparql-query"})
    assert len(r.json()["results"]["bindings"]) == 5


def test_ask_and_construct(service: Service) -> None:
    c = service.client
    assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    r = c.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 10"},
        headers={"Accept": "text/turtle"},
    )
    assert r.headers["content-type"].startswith("text/turtle")
    assert len(list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))) == 10


def test_updates_are_refused_however_sent(service: Service) -> None:
    c = service.client
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    assert_problem(c.get("/sparql", params={"query": update}), 403, "updates are refused")
    assert_problem(c.get("/sparql", params={"update": update}), 403)
    assert_problem(c.post("/sparql", data={"update": update}), 403)
    assert_problem(c.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}), 403)
    assert c.get("/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"}).json()["boolean"] is False


def test_a_query_mentioning_update_words_in_strings_is_a_query(service: Service) -> None:
    q = 'SELECT ?s WHERE { ?s ?p "DELETE me" } LIMIT 1'
    assert service.client.get("/sparql", params={"query": q}).status_code == 200


def test_results_are_capped_and_say_so(service: Service) -> None:
    r = service.client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.headers["SPARQL-Results-Truncated"] == "true"
    assert len(r.json()["results"]["bindings"]) == 50  # the fixture's SHAREKG_SPARQL_MAX_ROWS


def test_bad_queries_get_clear_errors(service: Service) -> None:
    c = service.client
    assert_problem(c.get("/sparql", params={"query": "SELEKT nothing"}), 400, "does not parse")
    assert_problem(c.get("/sparql"), 400, "query")
    assert_problem(c.post("/sparql", content="x", headers={"Content-Type": "text/plain"}), 415)


def test_time_limit(service: Service) -> None:
    runner = service.client.app.state.services.sparql  # type: ignore[attr-defined]
    limit, runner.timeout_s = runner.timeout_s, 0.001
    try:
        r = service.client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"})
    finally:
        runner.timeout_s = limit
    assert_problem(r, 503, "limit")
