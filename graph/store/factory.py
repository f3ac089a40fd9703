"""Opening a store: the embedded Oxigraph store on disk (the default) or a Neo4j server's database."""

from __future__ import annotations

from pathlib import Path

from graph.store.neo4j_store import Neo4jStore
from graph.store.oxigraph_store import OxigraphStore


def open_store(location: Path | None, *, read_only: bool = False) -> OxigraphStore:
    """The embedded Oxigraph store at ``location`` (in memory when None)."""
    return OxigraphStore.open(location, read_only=read_only)


def open_neo4j_store(uri: str, user: str, password: str, database: str) -> Neo4jStore:
    """A Neo4j (5.26+) or other Bolt server's database, for deployments that outgrow one machine
    (``graph.store.neo4j_store``); raises ``ConfigurationError`` or ``StoreError`` naming the setting to fix."""
    return Neo4jStore.open(uri, user, password, database)


__all__ = ["open_neo4j_store", "open_store"]
