"""Backends for the contract suite: the embedded store always, ArcadeDB over Bolt (started here), and a real
Neo4j where SHAREKG_NEO4J_URI points at one.

The Bolt backends are emptied through the store interface before each test (every source removed, then
garbage collected): point SHAREKG_NEO4J_URI only at a database whose sharekg graph may be wiped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store import Store, open_neo4j_store, open_store
from graph.store.neo4j_store import Neo4jStore
from tests.contract.arcadedb import ArcadeDB, arcadedb_server

BACKENDS = [
    "oxigraph",
    pytest.param("arcadedb", marks=pytest.mark.bolt),
    pytest.param("neo4j", marks=pytest.mark.neo4j),
]
#: Write batch of the Bolt stores under test, so a few hundred triples already span several batches.
SMALL_BATCH = 100


@pytest.fixture(scope="session")
def arcadedb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArcadeDB]:
    pytest.importorskip("arcadedb_embedded", reason="arcadedb-embedded is not installed (pip install -e '.[dev]')")
    with arcadedb_server(tmp_path_factory.mktemp("arcadedb")) as server:
        yield server


def neo4j_settings() -> tuple[str, str, str, str]:
    uri = os.environ.get("SHAREKG_NEO4J_URI")
    if not uri:
        pytest.skip("SHAREKG_NEO4J_URI is not set: no real Neo4j server to test against")
    return (
        uri,
        os.environ.get("SHAREKG_NEO4J_USER", "neo4j"),
        os.environ.get("SHAREKG_NEO4J_PASSWORD", ""),
        os.environ.get("SHAREKG_NEO4J_DATABASE", "neo4j"),
    )


def empty(store: Store) -> Store:
    for name in store.sources():
        store.remove_source(name)
    store.collect_garbage()
    return store


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "oxigraph":
        store = open_store(tmp_path / "store")
    elif request.param == "arcadedb":
        server: ArcadeDB = request.getfixturevalue("arcadedb")
        store = empty(open_neo4j_store(server.uri, server.user, server.password, server.database))
    else:
        store = empty(open_neo4j_store(*neo4j_settings()))
    if isinstance(store, Neo4jStore):
        store.write_batch = SMALL_BATCH  # tests cross batch boundaries with few triples
    yield store
    store.close()
