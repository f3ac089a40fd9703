"""The encoder interfaces matching talks to: ``Embedder`` turns texts into vectors (building the index), and
``NeedEncoder`` encodes one need and its sentences, handed back as a future so that sync code waits on it
(``.result()``) and async code awaits it (``asyncio.wrap_future``) through the same call.

Vectors are L2-normalised float32, so cosine similarity is an inner product. ``need_encoder`` makes any
``Embedder`` a ``NeedEncoder`` (its sentences then encoded as texts of their own, on a thread of the adapter's), so
the matcher has one way to encode a need whatever it was given.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol, runtime_checkable

import numpy as np

#: One text through the model: its normalised vector, its tokens' embeddings, their character offsets.
Forward = tuple[np.ndarray, np.ndarray, np.ndarray]
#: A need's vector, and one vector per part of it (its sentences), in order.
NeedVectors = tuple[np.ndarray, np.ndarray]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray: ...


@runtime_checkable
class NeedEncoder(Protocol):
    """Encodes a need (stripped text) and its ``parts`` (substrings of it, in order: its sentences)."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray: ...

    def submit_need(self, text: str, parts: Sequence[str]) -> Future[NeedVectors]:
        """The need's vector and its parts' vectors, computed off the caller's thread."""
        ...


class PlainNeedEncoder:
    """An ``Embedder`` as a ``NeedEncoder``: the need and each of its parts are encoded as texts of their own, in one
    ``encode`` call on a thread of this adapter (one part: the need alone, its own part)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self.dim = embedder.dim
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sharekg-need")

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        return self.embedder.encode(texts, batch_size=batch_size)

    def submit_need(self, text: str, parts: Sequence[str]) -> Future[NeedVectors]:
        return self._thread.submit(self._encode_need, text, list(parts))

    def _encode_need(self, text: str, parts: list[str]) -> NeedVectors:
        if len(parts) <= 1:
            vector = self.embedder.encode([text])[0]
            return vector, vector[None, :]
        vectors = self.embedder.encode([text, *parts])
        return vectors[0], vectors[1:]


def need_encoder(embedder: Embedder) -> NeedEncoder:
    """``embedder`` itself when it encodes needs, else a ``PlainNeedEncoder`` over it."""
    return embedder if isinstance(embedder, NeedEncoder) else PlainNeedEncoder(embedder)


def closest_sentence(vectors: np.ndarray, sentence_vectors: np.ndarray) -> np.ndarray | None:
    """Per candidate (``vectors``), the cosine of the need's sentence closest to it; None for a need of one sentence.

    A need of several sentences (a paragraph about the motivation and one about the method) is one vector for the
    encoder, an average of what it says, and a resource that fits one of its sentences well can sit far from that
    average: each candidate's similarity is the best of its cosine with the whole need and with each sentence (the
    matcher's candidates, and an expert's works, ``graph.search.evidence``). Only the candidates the channels found
    are scored so, so it costs a product of candidates by sentences (at most
    ``MAX_SENTENCES``). A glossed need is read whole, as one sentence. Effect on every development set:
    ``benchmarks/results/eval.md``."""
    if len(sentence_vectors) < 2:
        return None
    # a matrix product (BLAS): for 300 candidates and 8 sentences about 0.1 ms, where einsum took twice that
    out: np.ndarray = (vectors @ sentence_vectors.T).max(axis=1).astype(np.float64)
    return out


def need_similarity(vectors: np.ndarray, vector: np.ndarray, sentence_vectors: np.ndarray | None) -> np.ndarray:
    """Per row of ``vectors``, its similarity to the need by what it says itself: the best of its cosine with the whole
    need (``vector``) and with the need's closest sentence (``closest_sentence``; none for a need of one sentence or
    read by its gloss). What an expert's works are read by, and what ``Matcher.similarity`` reads one resource by."""
    sims: np.ndarray = (vectors @ vector).astype(np.float64)
    sentence = closest_sentence(vectors, sentence_vectors) if sentence_vectors is not None else None
    return sims if sentence is None else np.maximum(sims, sentence)


__all__ = [
    "Embedder",
    "Forward",
    "NeedEncoder",
    "NeedVectors",
    "PlainNeedEncoder",
    "closest_sentence",
    "need_encoder",
    "need_similarity",
]
