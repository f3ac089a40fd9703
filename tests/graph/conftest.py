"""Fixtures the graph tests share: a demand log, and the small matching graph of tests.conftest.MATCH_SOURCES
indexed once per session with its matcher."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from graph.centre.demand import DemandLog
from graph.search import Embedder, EmbeddingCache
from graph.search.index import SearchIndex, open_index
from graph.search.matcher import Matcher
from graph.store import Store, open_store
from ingest.linking import relink
from ingest.pipeline import ingest_source, plan
from tests.conftest import MATCH_SOURCES


@pytest.fixture
def log(tmp_path: Path) -> Iterator[DemandLog]:
    """An empty demand log of the test's own."""
    log = DemandLog(tmp_path / "demand.sqlite")
    yield log
    log.close()


class CountingEmbedder:
    """Our Embedder interface around the real model, counting the texts it is asked to encode."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.encoded = 0

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        self.encoded += len(texts)
        return self.inner.encode(texts, batch_size=batch_size)


def load(store: Store) -> None:
    for name, paths in MATCH_SOURCES.items():
        for p in plan(paths, source=name):
            ingest_source(store, p, None)
    relink(store, "r")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[Store, SearchIndex, Path]]:
    folder = tmp_path_factory.mktemp("match")
    store = open_store(folder / "store")
    load(store)
    cache = EmbeddingCache(folder / "embeddings.sqlite")
    index, built_now = open_index(store, embedder, cache, folder / "index")
    assert built_now
    yield store, index, folder
    cache.close()
    store.close()


@pytest.fixture(scope="session")
def matcher(built: tuple[Store, SearchIndex, Path], embedder: Embedder) -> Matcher:
    return Matcher(built[1], embedder)
