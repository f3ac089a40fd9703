"""Batched encoding of concurrent needs gives the vectors single calls give, and forms batches under load."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from graph.search import Embedder, SentenceTransformerEmbedder

NEEDS = [
    "We want to study magnetic thin films with X-ray magnetic circular dichroism.",
    "NMR spectroscopy of the organic compounds we synthesise.",
    "Street images with labelled pedestrians for a detection model. It must run on embedded hardware.",
    "Electron microscopy of nanoparticles.",
] * 4


def test_concurrent_needs_are_encoded_together_and_equal_single_calls(embedder: Embedder) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    single = np.vstack([embedder.encode([n]) for n in NEEDS])
    parts = [embedder.encode_with_parts(n, [p for p in n.split(". ") if p]) for n in NEEDS]
    batching = SentenceTransformerEmbedder(embedder._model, embedder.name)
    batching.enable_batching()
    with ThreadPoolExecutor(8) as pool:
        batched = np.vstack(list(pool.map(lambda n: batching.encode([n]), NEEDS)))
        batched_parts = list(pool.map(lambda n: batching.encode_with_parts(n, [p for p in n.split(". ") if p]), NEEDS))
    np.testing.assert_allclose(batched, single, atol=1e-5)
    for (v, s), (bv, bs) in zip(parts, batched_parts, strict=True):
        np.testing.assert_allclose(bv, v, atol=1e-5)
        np.testing.assert_allclose(bs, s, atol=1e-5)
    assert batching._batcher is not None and max(batching._batcher.batch_sizes) > 1


def test_an_error_reaches_the_caller_and_the_batcher_goes_on(embedder: Embedder) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    batching = SentenceTransformerEmbedder(embedder._model, embedder.name)
    batching.enable_batching()
    try:
        batching.encode([None])  # type: ignore[list-item]
    except Exception as e:  # the tokenizer's own error, whatever its class
        assert not isinstance(e, AssertionError)
    else:
        raise AssertionError("encoding None should fail")
    assert batching.encode([NEEDS[0]]).shape == (1, embedder.dim)


def test_needs_and_a_bulk_encode_share_the_model_safely(embedder: Embedder) -> None:
    """The fast tokenizer is one shared object: tokenizing from two threads at once broke batches under load."""
    assert isinstance(embedder, SentenceTransformerEmbedder)
    batching = SentenceTransformerEmbedder(embedder._model, embedder.name)
    batching.enable_batching()
    bulk = [f"{n} Variant {i}." for i, n in enumerate(NEEDS * 4)]
    with ThreadPoolExecutor(9) as pool:
        whole = pool.submit(batching.encode, bulk, batch_size=8)
        needs = list(pool.map(lambda n: batching.encode_with_parts(n, [n]), NEEDS * 2))
    assert whole.result().shape == (len(bulk), embedder.dim) and len(needs) == len(NEEDS) * 2
