"""The HTTP API over every backend: the same requests, the same answers (the API does not change with the store).

SPARQL is the embedded store's: on a Bolt backend /sparql says so with a clear problem, and the search index is
built from an in-memory snapshot of the graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from graph.search import Embedder
from graph.store import Store
from graph.store.neo4j_store import Neo4jStore
from ingest.pipeline import ingest_source, plan
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow


@pytest.fixture
def client(backend: Store, tmp_path: Path, embedder: Embedder) -> Iterator[TestClient]:
    for p in plan([FIXTURES / "nsf-mri" / "awards.jsonl"], source="nsf-mri"):
        ingest_source(backend, p, None)
    settings = Settings(data_dir=tmp_path, model=embedder.name)
    with TestClient(create_app(settings, store=backend, embedder=embedder)) as c:
        c.app.state.services.refresh_index()  # type: ignore[attr-defined]  # built in the background: wait for it
        yield c


def test_match_browse_and_read_a_resource_on_every_backend(client: TestClient, backend: Store) -> None:
    assert client.get("/health").json()["resources"] > 10
    top = client.post("/match", json={"text": "NMR spectrometer for organic chemistry", "types": ["Instrument"]})
    instrument = top.json()["results"]["Instrument"][0]
    assert "NMR" in instrument["label"] or "Nuclear Magnetic Resonance" in instrument["label"]
    body = client.get(f"/resources/{instrument['id']}").json()
    assert body["label"] == instrument["label"] and body["properties"] and body["access"]["organization"]
    turtle = client.get(f"/resources/{instrument['id']}", params={"format": "turtle"})
    assert turtle.status_code == 200 and instrument["iri"] in turtle.text
    neighbours = client.get(f"/resources/{instrument['id']}/neighbourhood").json()
    assert len(neighbours["nodes"]) > 1
    sparql = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    if isinstance(backend, Neo4jStore):
        assert sparql.status_code == 400 and "embedded" in sparql.json()["detail"]
    else:
        assert sparql.json()["boolean"] is True
