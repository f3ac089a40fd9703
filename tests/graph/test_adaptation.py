"""Self-supervised adaptation: pairs from the corpus, a short real fine-tuning run, a model that loads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.errors import ConfigurationError
from graph.evaluation.adaptation import AdaptationSettings, adapt, corpus_pairs, training_pairs
from graph.search import SentenceTransformerEmbedder
from graph.store import open_store
from ingest.pipeline import ingest_source, plan
from tests.conftest import FIXTURES


def test_pairs_keep_titles_with_a_real_description() -> None:
    pairs = training_pairs(
        ["A dataset paper", "Same", "", "Short"],
        ["A long description of what the data holds and how it was gathered.", "Same", "text", "tiny"],
    )
    assert pairs == [("A dataset paper", "A long description of what the data holds and how it was gathered.")]


def test_corpus_pairs_come_from_the_graph(tmp_path: Path) -> None:
    store = open_store(None)
    for p in plan([FIXTURES / "nsf-mri" / "awards.jsonl", FIXTURES / "datafinder" / "datasets.jsonl"]):
        ingest_source(store, p, None)
    pairs = corpus_pairs(store)
    assert any(title.startswith("Acquisition of a 300 MHz NMR") for title, _ in pairs)
    assert len(pairs) >= 20


def test_too_few_pairs_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="too few"):
        adapt([("a", "b" * 50)], tmp_path / "model")


@pytest.mark.slow
def test_a_short_adaptation_saves_a_model_that_loads(tmp_path: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    store = open_store(None)
    for p in plan([FIXTURES / "nsf-mri" / "awards.jsonl", FIXTURES / "datafinder" / "datasets.jsonl"]):
        ingest_source(store, p, None)
    pairs = corpus_pairs(store)[:16]
    losses: list[float] = []
    out = adapt(
        pairs,
        tmp_path / "model",
        settings=AdaptationSettings(batch_size=8, max_seq_length=32),
        progress=lambda step, steps, loss: losses.append(loss),
    )
    assert len(losses) == 2
    embedder = SentenceTransformerEmbedder.load(str(out), device="cpu")
    vectors = embedder.encode(["nuclear magnetic resonance"])
    assert vectors.shape == (1, 384)
