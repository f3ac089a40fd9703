"""The service loads the model itself as the settings say: needs through ONNX Runtime by default (same answers as
torch), or torch when asked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from graph.search import Embedder
from graph.store import open_store

NEEDS = [
    "Powder X-ray diffraction of metal-organic frameworks we synthesise. A mentor in crystallography would help.",
    "high resolution electron microscopy",
]


def answers(data_dir: Path, embedder_name: str, **settings: object) -> tuple[str, list[dict[str, list[str]]]]:
    """The encoder /health names and the result ids per type of each need, from an app that loads its own model."""
    store = open_store(data_dir / "store")
    try:
        app = create_app(Settings(data_dir=data_dir, model=embedder_name, **settings), store=store)  # type: ignore[arg-type]
        with TestClient(app) as client:
            encoder = client.get("/health").json()["encoder"]
            found = []
            for need in NEEDS:
                response = client.post("/match", json={"text": need, "k": 5})
                assert response.status_code == 200, response.text
                found.append({t: [r["id"] for r in rs] for t, rs in response.json()["results"].items()})
    finally:
        store.close()
    return encoder, found


@pytest.mark.slow  # loads the model twice (about 5 s each)
def test_needs_go_through_onnx_runtime_by_default_with_torchs_answers(
    template: Path, onnx_models: Path, embedder: Embedder, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(template, data_dir)
    shutil.copytree(onnx_models, data_dir / "models")  # the export a first start makes (about 10 s)
    onnx_encoder, onnx_answers = answers(data_dir, embedder.name)
    torch_encoder, torch_answers = answers(data_dir, embedder.name, encoder_runtime="torch")
    assert (onnx_encoder, torch_encoder) == ("onnx", "torch")
    assert onnx_answers == torch_answers and all(any(ids for ids in a.values()) for a in onnx_answers)
