"""What a user sees when the Bolt server is there but the settings are wrong."""

from __future__ import annotations

import pytest

from api.sparql import SparqlRunner
from graph.errors import ConfigurationError
from graph.store import SparqlStore, Store, open_neo4j_store
from tests.contract.arcadedb import ArcadeDB


@pytest.mark.bolt
def test_a_wrong_password_names_the_settings_and_not_the_password(arcadedb: ArcadeDB) -> None:
    with pytest.raises(ConfigurationError, match="SHAREKG_NEO4J_PASSWORD") as caught:
        open_neo4j_store(arcadedb.uri, arcadedb.user, "not-the-password", arcadedb.database)
    assert "not-the-password" not in str(caught.value)


@pytest.mark.bolt
def test_sparql_is_refused_with_the_reason(arcadedb: ArcadeDB) -> None:
    """A Neo4j store is no ``SparqlStore`` (it has no ``query`` to raise from): the wiring sees that once, and the
    SPARQL endpoint's runner, given no SPARQL store, refuses every query saying why."""
    store = open_neo4j_store(arcadedb.uri, arcadedb.user, arcadedb.password, arcadedb.database)
    try:
        assert isinstance(store, Store) and not isinstance(store, SparqlStore)
        with pytest.raises(ConfigurationError, match="SPARQL runs on the embedded store only"):
            SparqlRunner(None, 1.0, 10).run("SELECT * WHERE { ?s ?p ?o }", "application/json")
    finally:
        store.close()
