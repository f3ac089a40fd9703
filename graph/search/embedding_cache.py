"""Vectors on disk (SQLite), keyed by model name and text hash: building the index re-encodes only new or changed
texts."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from graph.search.encoding import Embedder

EmbedProgress = Callable[[int, int], None]  # (texts done, texts in all)


def text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class EmbeddingCache:
    """Vectors on disk (SQLite), keyed by model name and text hash: only new or changed texts are encoded."""

    SCHEMA = """CREATE TABLE IF NOT EXISTS vectors (
        model TEXT NOT NULL, text_hash BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, text_hash))"""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(self.SCHEMA)

    def embed(
        self, embedder: Embedder, texts: Sequence[str], *, batch_size: int = 64, progress: EmbedProgress | None = None
    ) -> np.ndarray:
        """Vectors for ``texts`` in order, encoding only those the cache lacks (in batches, saved as they come)."""
        hashes = [text_hash(t) for t in texts]
        found = self._lookup(embedder.name, set(hashes))
        missing = list({h: t for h, t in zip(hashes, texts, strict=True) if h not in found}.items())
        step = batch_size * 8
        for start in range(0, len(missing), step):
            chunk = missing[start : start + step]
            vectors = embedder.encode([t for _, t in chunk], batch_size=batch_size)
            rows = [(embedder.name, h, v.tobytes()) for (h, _), v in zip(chunk, vectors, strict=True)]
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            found.update({h: v for (h, _), v in zip(chunk, vectors, strict=True)})
            if progress is not None:
                progress(start + len(chunk), len(missing))
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([found[h] for h in hashes])

    def _lookup(self, model: str, hashes: set[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        query = "SELECT text_hash, vector FROM vectors WHERE model = ?"
        for h, blob in self._db.execute(query, (model,)):
            if h in hashes:
                found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def close(self) -> None:
        self._db.close()


__all__ = ["EmbeddingCache", "text_hash"]
