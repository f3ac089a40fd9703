"""A running app over a small real graph (fixture records of five sources) with the real model."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import add_key
from api.settings import Settings
from graph.search import Embedder, EmbeddingCache
from graph.search.index import index_folder, open_index
from graph.store import Store, open_store
from ingest.linking import relink
from ingest.pipeline import ingest_source, plan
from tests.conftest import MATCH_SOURCES


@dataclass
class Service:
    client: TestClient
    settings: Settings
    store: Store
    admin_key: str
    centre_key: str  # a centre key of the University of St Andrews


def build_graph(data_dir: Path, embedder: Embedder) -> None:
    store = open_store(data_dir / "store")
    for name, paths in MATCH_SOURCES.items():
        for p in plan(paths, source=name):
            ingest_source(store, p, None)
    relink(store, "r")
    cache = EmbeddingCache(data_dir / "embeddings.sqlite")
    open_index(store, embedder, cache, index_folder(data_dir, embedder.name))
    cache.close()
    store.close()


@pytest.fixture(scope="package")
def template(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data folder with the graph and its index, built once and copied for each service."""
    folder = tmp_path_factory.mktemp("template")
    build_graph(folder, embedder)
    return folder


def start(template: Path, data_dir: Path, embedder: Embedder, **overrides: object) -> Iterator[Service]:
    shutil.copytree(template, data_dir, dirs_exist_ok=True)
    store = open_store(data_dir / "store")
    settings = Settings(data_dir=data_dir, model=embedder.name, **overrides)  # type: ignore[arg-type]
    admin = add_key(settings.api_keys_path, "ops", "admin", None)
    centre = add_key(settings.api_keys_path, "st-andrews-core", "centre", "University of St Andrews")
    with TestClient(create_app(settings, store=store, embedder=embedder)) as client:
        yield Service(client, settings, store, admin, centre)
    store.close()


@pytest.fixture(scope="package")
def service(tmp_path_factory: pytest.TempPathFactory, template: Path, embedder: Embedder) -> Iterator[Service]:
    """Read-only use: tests that write get their own (``writable_service``)."""
    yield from start(template, tmp_path_factory.mktemp("api"), embedder, sparql_max_rows=50)


@pytest.fixture
def writable_service(tmp_path: Path, template: Path, embedder: Embedder) -> Iterator[Service]:
    yield from start(template, tmp_path / "data", embedder, max_body_bytes=200_000)
