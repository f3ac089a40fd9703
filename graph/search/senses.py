"""Which English sense of a Chinese word a need means, chosen by the catalogue's own English.

A dictionary gives a word several senses (模型: "model", "mold"; 训练: "to train", "to drill"); glossing a need with
all of them puts words into the encoder's input and BM25's query that the need never meant. :class:`SenseChooser`
keeps one sense per word: the one whose words occur, in the catalogue's documents, together with the senses of the
need's other words. That is corpus co-occurrence translation disambiguation (Ballesteros and Croft, "Resolving
ambiguity for cross-language retrieval", SIGIR 1998): a sense ``a`` of word ``i`` scores

    score(a) = sum over the need's other words j of (max over the senses b of j of Dice(a, b)),
    Dice(a, b) = 2 |D(a) ∩ D(b)| / (|D(a)| + |D(b)|)

where ``D(s)`` is the set of documents holding every search key of ``s``'s content words (``FUNCTION_WORDS``, a
fuller English stopword list than BM25's, left out: "about", "who" or "can" are in most documents, so a sense
made of them would co-occur with everything and win by frequency alone). A sense no document holds, or with no
content word, scores below any other; on a tie (no evidence either way, as for a need of one word) the dictionary's
order decides.

Documents are counted over a sample: every ``stride``-th document of each type's BM25 index, ``stride`` chosen so
that about ``SAMPLE`` documents take part whatever the catalogue's size (all of them up to that size). A phrase's
sampled documents are cached (``CACHE`` phrases), so a need costs a few postings reads and one small sparse product;
``benchmarks/results/crosslingual.md`` has the measurements. A long need is read in windows of ``WINDOW`` words (each
word's context is its window), and only its first ``LIMIT`` words are chosen for, the rest keeping their first sense:
the encoder reads no further than that, and a need of 10,000 characters costs what one of a few hundred does.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

from graph.search.lexical import FUNCTION_WORDS, LexicalIndex

__all__ = ["CACHE", "FUNCTION_WORDS", "LIMIT", "SAMPLE", "WINDOW", "SenseChooser"]

SAMPLE = 20_000  # documents that co-occurrence is counted over, at most (about)
CACHE = 4096  # phrases whose sampled documents are kept
WINDOW = 64  # words whose senses are counted together (a need's words, in order)
LIMIT = 256  # words chosen for; later ones keep their first sense


class SenseChooser:
    """Chooses one sense per word of a need, by co-occurrence in the documents of ``lexical`` (one BM25 index per
    type, together one catalogue). Thread-safe; cheap to build (nothing is read until a need asks)."""

    def __init__(self, lexical: Sequence[LexicalIndex], sample: int = SAMPLE) -> None:
        self._parts = list(lexical)
        self._offsets = np.cumsum([0, *(len(part) for part in self._parts)])
        self._stride = max(1, math.ceil(int(self._offsets[-1]) / max(sample, 1)))
        self._documents = functools.lru_cache(maxsize=CACHE)(self._sampled)

    def _sampled(self, phrase: str) -> np.ndarray:
        """The sampled documents (catalogue-wide rows, ascending) holding every key of ``phrase``; empty if it has
        no content word. Each key's postings are sampled before they are intersected: the same rows, at a sample's
        cost."""
        found = []
        for part, offset in zip(self._parts, self._offsets, strict=False):
            docs: np.ndarray | None = None
            for key in part.keys(phrase, FUNCTION_WORDS):
                column = part.postings(key)
                sampled = column[column % self._stride == 0] if self._stride > 1 else column
                docs = sampled if docs is None else np.intersect1d(docs, sampled, assume_unique=True)
                if not len(docs):
                    break
            if docs is not None and len(docs):
                found.append(docs.astype(np.int64) + offset)
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def choose(self, senses: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
        """For each word of a need (its candidate senses, in the dictionary's order), the one sense to read it by;
        a word with one sense keeps it, a word with none stays without.

        >>> index = LexicalIndex.build(["train a detection model on images", "a mold of clay", "drill a hole"])
        >>> SenseChooser([index]).choose([("train", "drill"), ("model", "mold"), ("image",)])
        [('train',), ('model',), ('image',)]
        """
        chosen = [tuple(candidates[:1]) for candidates in senses]
        words = [i for i, candidates in enumerate(senses) if candidates][:LIMIT]
        for start in range(0, len(words), WINDOW):
            self._choose_in(senses, words[start : start + WINDOW], chosen)
        return chosen

    def _choose_in(self, senses: Sequence[Sequence[str]], words: list[int], chosen: list[tuple[str, ...]]) -> None:
        """Set ``chosen[i]`` for the ambiguous words ``i`` of ``words`` (one window), by their co-occurrence."""
        if all(len(senses[i]) == 1 for i in words):
            return
        # senses, word by word (words without a sense left out: they are no evidence)
        word_of = np.array([w for w, i in enumerate(words) for _ in senses[i]])
        flat = [sense for i in words for sense in senses[i]]
        documents = [self._documents(sense) for sense in flat]
        counts = np.array([len(d) for d in documents], dtype=np.int64)
        sizes = counts.astype(np.float64)
        # one row per sense, its documents as the row's columns (already ascending: no sorting)
        held = sparse.csr_matrix(
            (np.ones(int(counts.sum())), np.concatenate(documents), np.concatenate([[0], np.cumsum(counts)])),
            shape=(len(flat), max(int(self._offsets[-1]), 1)),
        )
        together = (held @ held.T).toarray()  # documents holding both senses
        with np.errstate(invalid="ignore", divide="ignore"):
            dice = np.nan_to_num(2 * together / (sizes[:, None] + sizes[None, :]))
        # per sense and word: the best Dice with any sense of that word (words are contiguous in `flat`)
        starts = np.flatnonzero(np.r_[True, word_of[1:] != word_of[:-1]])
        best = np.maximum.reduceat(dice, starts, axis=1)  # (senses, words)
        best[np.arange(len(flat)), word_of] = 0.0  # a word is no evidence for itself
        score = np.where(sizes > 0, best.sum(axis=1), -1.0)
        for w, i in enumerate(words):
            if len(senses[i]) > 1:
                chosen[i] = (senses[i][int(np.argmax(score[word_of == w]))],)  # argmax: the first on a tie
