"""Analytics over HTTP: graph statistics and a resource's neighbourhood."""

from __future__ import annotations

from tests.api.conftest import Service
from tests.api.test_service import assert_problem


def test_graph_statistics(service: Service) -> None:
    body = service.client.get("/analytics/graph").json()
    assert body["nodes"] == sum(body["types"].values()) and body["edges"] > 0
    assert sum(b["nodes"] for b in body["degrees"]["bins"]) == body["nodes"]
    assert body["central"] and body["communities"]["top"]
    assert service.client.get("/analytics/graph").json() == body  # cached until the graph changes


def test_neighbourhood_edges_touch_the_resource(service: Service) -> None:
    rid = service.client.get("/resources", params={"q": "NMR", "type": "Instrument"}).json()["items"][0]["id"]
    body = service.client.get(f"/resources/{rid}/neighbourhood").json()
    center = body["center"]
    assert body["nodes"][0]["iri"] == center and len(body["nodes"]) > 1
    assert all(center in (e["source"], e["target"]) for e in body["edges"])
    assert {e["label"] for e in body["edges"]} & {"hostedBy", "contactPerson"}
    assert_problem(service.client.get("/resources/instrument/nowhere/0/neighbourhood"), 404)
