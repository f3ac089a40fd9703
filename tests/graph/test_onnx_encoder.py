"""ONNX Runtime encodes needs as torch does: the same vectors and sentence vectors, safely from many threads, from
an export made once per model and checked each time it is loaded."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph.errors import ConfigurationError
from graph.search import Embedder, SentenceTransformerEmbedder
from graph.search.onnx_encoder import PROBES, OnnxEncoder, _supported_parts

NEEDS = [
    "We want to study magnetic thin films with X-ray magnetic circular dichroism.",
    "NMR spectroscopy of the organic compounds we synthesise.",
    "Street images with labelled pedestrians for a detection model. It must run on embedded hardware.",
    "Electron microscopy of nanoparticles.",
    "Föhn winds & the Alps: 3-D lidar profiles (2019–2021), sub-km resolution?",  # noqa: RUF001  # offsets of non-ASCII
    " ".join(["A need far longer than the model's limit of 256 tokens, cut as torch cuts it."] * 30),
]


@pytest.fixture(scope="module")
def onnx_folder(tmp_path_factory: pytest.TempPathFactory, onnx_models: Path) -> Path:
    """A copy of the session's export: these tests damage it."""
    folder = tmp_path_factory.mktemp("models")
    for export in onnx_models.glob("*.onnx"):
        shutil.copy2(export, folder / export.name)
    return folder


@pytest.fixture(scope="module")
def onnx_embedder(embedder: Embedder, onnx_folder: Path) -> SentenceTransformerEmbedder:
    """The session's model with needs through ONNX Runtime."""
    assert isinstance(embedder, SentenceTransformerEmbedder)
    onnx = SentenceTransformerEmbedder(embedder._model, embedder.name)
    onnx.use_onnx(onnx_folder, threads=1)
    return onnx


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)))


def test_onnx_needs_and_sentences_equal_torch(embedder: Embedder, onnx_embedder: SentenceTransformerEmbedder) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder) and embedder.runtime == "torch"
    assert onnx_embedder.runtime == "onnx"
    torch_vectors = np.vstack([embedder.encode([n]) for n in NEEDS])
    onnx_vectors = np.vstack([onnx_embedder.encode([n]) for n in NEEDS])
    assert cosines(onnx_vectors, torch_vectors).min() > 0.99999
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    for need in NEEDS:
        parts = [p for p in need.split(". ") if p]
        vector, sentences = onnx_embedder.encode_with_parts(need, parts)
        torch_vector, torch_sentences = embedder.encode_with_parts(need, parts)
        assert cosines(vector[None, :], torch_vector[None, :])[0] > 0.99999
        assert cosines(sentences, torch_sentences).min() > 0.9999


def test_batches_from_many_threads_equal_single_calls(onnx_embedder: SentenceTransformerEmbedder) -> None:
    """No lock: the private tokenizer copy is never reconfigured and ONNX Runtime sessions run concurrently."""
    single = np.vstack([onnx_embedder.encode([n]) for n in NEEDS])
    batched = np.vstack([v for v, _, _ in onnx_embedder._forward_batch(NEEDS)])  # padded to the longest
    np.testing.assert_allclose(batched, single, atol=1e-5)
    batching = SentenceTransformerEmbedder(onnx_embedder._model, onnx_embedder.name)
    batching._onnx, batching.runtime = onnx_embedder._onnx, "onnx"
    batching.enable_batching()  # as the service runs it: one encoder thread over the needs queued
    for encoder in (onnx_embedder, batching):
        with ThreadPoolExecutor(8) as pool:
            concurrent = list(pool.map(lambda n, e=encoder: e.encode([n]), NEEDS * 8))
        np.testing.assert_allclose(np.vstack(concurrent), np.vstack([single] * 8), atol=1e-5)
    assert batching._batcher is not None and max(batching._batcher.batch_sizes) > 1


def test_the_export_is_made_once_and_a_broken_one_is_removed(
    embedder: Embedder, onnx_embedder: SentenceTransformerEmbedder, onnx_folder: Path
) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    (export,) = onnx_folder.glob("*.onnx")
    made = export.stat().st_mtime_ns
    OnnxEncoder.prepare(embedder._model, onnx_folder, threads=1).check_against(embedder._torch_forward_batch)
    assert export.stat().st_mtime_ns == made and list(onnx_folder.iterdir()) == [export]
    saved = export.read_bytes()
    try:
        export.write_bytes(saved[: len(saved) // 3])  # cut short, as by a full disk
        with pytest.raises(ConfigurationError, match="cannot load the exported model"):
            OnnxEncoder.prepare(embedder._model, onnx_folder)
        assert not export.exists()  # exported again next time
    finally:
        export.write_bytes(saved)


def test_an_encoder_that_disagrees_with_torch_is_refused(
    embedder: Embedder, onnx_embedder: SentenceTransformerEmbedder
) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    encoder = onnx_embedder._onnx
    assert encoder is not None

    def shifted(texts: Any) -> list[Any]:
        return [(np.roll(v, 1), t, o) for v, t, o in embedder._torch_forward_batch(texts)]

    def other_tokens(texts: Any) -> list[Any]:
        return [(v, t[:-1], o[:-1]) for v, t, o in embedder._torch_forward_batch(texts)]

    with pytest.raises(ConfigurationError, match="vectors differ"):
        encoder.check_against(shifted)
    with pytest.raises(ConfigurationError, match="tokenises differently"):
        encoder.check_against(other_tokens)
    assert encoder.check_against(embedder._torch_forward_batch) > 0.9999
    assert any(len(p) > 1000 for p in PROBES)  # the check covers truncation at the token limit


class Transformer:  # named as sentence-transformers' modules are: _supported_parts reads class names
    auto_model = object()


class Pooling:
    def __init__(self, mode: str) -> None:
        self.mode = mode

    def get_config_dict(self) -> dict[str, str]:
        return {"pooling_mode": self.mode}


class Normalize:
    pass


class Dense:
    pass


def test_only_transformer_mean_pooling_models_are_exported() -> None:
    assert _supported_parts([Transformer(), Pooling("mean"), Normalize()])[1] is True
    assert _supported_parts([Transformer(), Pooling("mean")])[1] is False
    for modules in ([Transformer(), Pooling("cls"), Normalize()], [Transformer(), Pooling("mean"), Dense()], []):
        with pytest.raises(ConfigurationError, match="transformer \\+ mean pooling"):
            _supported_parts(modules)


def test_an_unknown_runtime_is_refused_before_loading_anything() -> None:
    with pytest.raises(ConfigurationError, match="runtime is 'tensorrt'"):
        SentenceTransformerEmbedder.load(runtime="tensorrt")
