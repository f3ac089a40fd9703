"""Self-supervised adaptation of the embedding model to the resource corpus (never to evaluation queries).

Resources describe themselves in two voices: a short title-like line (the paper that introduced a dataset,
a publication's title, an award's title) and a longer description. Fine-tuning the model so that each
short line finds its own description among the others of a batch (in-batch negatives, the multiple
negatives ranking loss of sentence-transformers) teaches it the corpus' vocabulary, with no labels.
The adapted model is saved as a folder and selected like any other (``SHAREKG_MODEL=path``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.errors import ConfigurationError
from graph.search import DEFAULT_MODEL, default_model_path
from graph.store import SparqlStore
from graph.store import sparql_queries as q

Pair = tuple[str, str]  # (short line, description)


@dataclass(frozen=True, slots=True)
class AdaptationSettings:
    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 2e-5
    max_seq_length: int = 128
    scale: float = (
        20.0  # cosine similarities are multiplied by this before the softmax (sentence-transformers' default)
    )
    seed: int = 13


def training_pairs(titles: Sequence[str], descriptions: Sequence[str], min_chars: int = 40) -> list[Pair]:
    """(title, description) pairs worth learning from: both present, the description longer than the title."""
    pairs = []
    for title, description in zip(titles, descriptions, strict=True):
        title, description = title.strip(), description.strip()
        if title and len(description) >= max(min_chars, 2 * len(title)) and title not in description[: len(title)]:
            pairs.append((title, description))
    return list(dict.fromkeys(pairs))


def corpus_pairs(store: SparqlStore) -> list[Pair]:
    """Training pairs from the graph itself: datasets' introducing papers, instruments, grants and works."""
    rows = store.query(q.ADAPTATION_PAIRS_QUERY)
    assert isinstance(rows, ox.QuerySolutions)
    found = [(row["title"].value, row["text"].value) for row in rows]
    return training_pairs([t for t, _ in found], [d for _, d in found])


def adapt(
    pairs: Sequence[Pair],
    out: Path,
    *,
    base_model: str = DEFAULT_MODEL,
    settings: AdaptationSettings | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> Path:
    """Fine-tune ``base_model`` on ``pairs`` and save it to ``out``; returns ``out``."""
    import torch
    from sentence_transformers import SentenceTransformer

    s = settings or AdaptationSettings()
    if len(pairs) < s.batch_size:
        raise ConfigurationError(f"{len(pairs)} training pairs are too few for a batch of {s.batch_size}")
    random.seed(s.seed)
    torch.manual_seed(s.seed)
    model = SentenceTransformer(default_model_path() if base_model == DEFAULT_MODEL else base_model, device="cpu")
    model.max_seq_length = s.max_seq_length
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=s.learning_rate)
    order = list(pairs)
    steps = s.epochs * (len(order) // s.batch_size)
    step = 0
    for _ in range(s.epochs):
        random.shuffle(order)
        for start in range(0, len(order) - s.batch_size + 1, s.batch_size):
            batch = order[start : start + s.batch_size]
            loss = _batch_loss(model, batch, s.scale)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
            if progress is not None:
                progress(step, steps, float(loss.detach()))
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    return out


def _batch_loss(model: Any, batch: Sequence[Pair], scale: float) -> Any:
    import torch

    def embed(texts: list[str]) -> torch.Tensor:
        features = model.preprocess(texts)
        features = {k: v.to(model.device) for k, v in features.items() if isinstance(v, torch.Tensor)}
        vectors = model(features)["sentence_embedding"]
        return torch.nn.functional.normalize(vectors, dim=-1)

    queries = embed([q for q, _ in batch])
    documents = embed([d for _, d in batch])
    logits = scale * queries @ documents.T
    return torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))


__all__ = ["AdaptationSettings", "adapt", "corpus_pairs", "training_pairs"]
