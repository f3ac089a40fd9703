"""BM25 keyword search over the texts the vector index holds, with the words that matched, for explanations.

Built on bm25s (Lucene's BM25 variant, k1 = 1.5, b = 0.75), with English stopwords (bm25s' Lucene list) and a
Snowball stemmer from PyStemmer (``stemmer="english"`` by default; any name in ``Stemmer.algorithms()``, or
``None`` for none). Tokenisation is our own, so the query side can keep each term's surface form:

- a token is a run of two or more Unicode word characters (bm25s' default pattern ``\\b\\w\\w+\\b``),
  lower-cased; stopwords are dropped, then the rest are stemmed;
- any text is accepted: punctuation, emoji or a single letter give no tokens, and a query with no tokens scores
  every document 0; non-Latin scripts are tokens like any other; each distinct query term counts once, so a very
  long query costs at most one pass over the postings of the terms it shares with the index;
- the terms a document is shown to share with a query leave out English function words (``FUNCTION_WORDS``, the
  fuller list of 179) and the words a need is asked with (``NEED_WORDS``: "need", "want", "would", "use"): BM25 still
  counts "we" or "from" (a longer stopword list for ranking was measured and not taken, ``benchmarks/results/
  eval.md``), but a student shown "We" as why a dataset fits learns nothing.

``scores(query)`` returns one score per document, so callers can mask by filters before ranking;
``search`` ranks the allowed documents that score above 0, by top-k selection (``argpartition``), not a sort of
every document. Both add each query term's postings (its column of bm25s' precomputed score matrix) into one
score vector, in float32 and term by term as bm25s does, so the scores are bm25s' to the bit; bm25s' own
``np.add.at`` is not needed, as a term lists a document at most once. ``scores_at(query, rows)`` and
``explain(query, rows)`` read only the postings of the given documents (binary search in each term's sorted
column): their scores, and with ``explain`` the terms they share with the query, without a score vector over the
whole index. Example::

    >>> index = LexicalIndex.build(["Electron microscopes for imaging", "A survey of cats"])
    >>> index.search("microscope imaging", k=5)[0].tolist()
    [0]
    >>> index.matched_terms("Microscope, imaging and cats", 0)
    ['Microscope', 'imaging']
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s  # type: ignore[import-untyped]
import numpy as np
import Stemmer  # type: ignore[import-not-found]
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS  # type: ignore[import-untyped]

from graph.errors import ConfigurationError, StoreError
from graph.search.index_meta import read_meta, write_meta
from graph.search.vector_index import check_allowed, top_k

__all__ = ["DEFAULT_STEMMER", "FUNCTION_WORDS", "NEED_WORDS", "LexicalIndex", "Term", "tokenize", "whole_words"]

DEFAULT_STEMMER = "english"
FORMAT = "sharekg-lexical"
FORMAT_VERSION = 1
META_FILE = "lexical.json"
BM25_FOLDER = "bm25"

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)
#: English function words (bm25s' fuller list of 179, NLTK's): BM25 counts those Lucene's 33 leave in, but a
#: document's shared terms never show them, and a Chinese word's senses are chosen without them (``senses``).
FUNCTION_WORDS = frozenset(STOPWORDS_EN_PLUS)
#: The words a need is asked with, whatever it asks for: modal verbs the list above lacks, the verbs of asking (the
#: Chinese function words drop 需要, 想 and 希望 alike) and the light verbs of what a team does (use, make: also 用 and
#: 使 glossed, which stay in the gloss because the encoder reads "used to view" the better for them). Never shown as
#: shared terms either.
NEED_WORDS = frozenset(
    ["would", "could", "might", "must", "shall", "may", "need", "needs", "needed", "want", "wants", "wanted"]
) | frozenset(["use", "uses", "used", "using", "employ", "make", "makes", "made", "making"])
_UNSHOWN = FUNCTION_WORDS | NEED_WORDS


@dataclass(frozen=True)
class Term:
    """One token of a text: as written (``surface``) and as indexed (``key``: lower-cased, stemmed)."""

    surface: str
    key: str


def _stemmer(language: str | None) -> Stemmer.Stemmer | None:
    if language is None:
        return None
    if language not in Stemmer.algorithms():
        raise ConfigurationError(
            f"unknown stemmer {language!r}: use one of {', '.join(Stemmer.algorithms())}, or None for no stemming"
        )
    return Stemmer.Stemmer(language)


def tokenize(text: str, stemmer: Stemmer.Stemmer | None, dropped: frozenset[str] = frozenset()) -> list[Term]:
    """The terms of ``text`` in order, stopwords (and the lower-case words ``dropped``) left out; never raises on
    any ``str``."""
    surfaces = [s for s in _TOKEN.findall(text) if s.lower() not in _STOPWORDS and s.lower() not in dropped]
    words = list({s.lower() for s in surfaces})
    keys = dict(zip(words, stemmer.stemWords(words) if stemmer else words, strict=True))
    return [Term(s, keys[s.lower()]) for s in surfaces]


_COMPOUND = re.compile(r"(?u)\b\w+(?:-\w+)+\b")


def whole_words(query: str, terms: Sequence[str], text: str) -> list[str]:
    """``terms``, the query's terms a document holds as ``explain`` lists them (the parts of a hyphenated word, since
    tokens are runs of word characters), with each hyphenated word of ``query`` shown whole where the document's
    ``text`` writes it too (with the hyphen, a space or nothing between its parts, any ending): "X-ray" where the
    document says "X-rays", rather than "ray", which could be any ray. A part the document holds only apart stays a
    part. Substring tests on the lower-cased text (a few microseconds a result; a regular expression cost 20).

    >>> whole_words("X-ray diffraction", ["ray", "diffraction"], "Powder X-Ray diffraction")
    ['X-ray', 'diffraction']
    >>> whole_words("X-ray diffraction", ["ray", "diffraction"], "Ray tracing and diffraction")
    ['ray', 'diffraction']
    """
    shown = list(terms)
    lowered = ""
    for compound, parts in _compounds(query):
        held = [i for i, term in enumerate(shown) if term.lower() in parts]
        if not held or compound.lower() in (t.lower() for t in shown):
            continue
        lowered = lowered or text.lower()
        word = compound.lower()
        if any(_written(lowered, form) for form in (word, word.replace("-", " "), word.replace("-", ""))):
            shown = [compound if i == held[0] else t for i, t in enumerate(shown) if i == held[0] or i not in held]
    return shown


@functools.lru_cache(maxsize=256)
def _compounds(query: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The hyphenated words of ``query``, each once, with the lower-cased parts BM25 reads it by: read once per need,
    not once per result shown for it."""
    return tuple(
        (compound, frozenset(p.lower() for p in _TOKEN.findall(compound) if p.lower() not in _STOPWORDS))
        for compound in dict.fromkeys(_COMPOUND.findall(query))
    )


def _written(text: str, word: str) -> bool:
    """Whether ``text`` holds ``word`` at the start of a word."""
    at = text.find(word)
    while at > 0 and text[at - 1].isalnum():
        at = text.find(word, at + 1)
    return at >= 0


class LexicalIndex:
    """BM25 over a fixed list of texts; rows are the texts' positions in that list. Make one with ``build``/``load``."""

    def __init__(self, bm25: bm25s.BM25 | None, num_docs: int, stemmer: str | None) -> None:
        self._bm25 = bm25  # None when no text has a single token: every query then scores 0
        self._num_docs = num_docs
        self._stemmer_name = stemmer
        _stemmer(stemmer)  # refuse an unknown name now
        self._per_thread = threading.local()  # PyStemmer's stemmers are not safe to share between threads
        if bm25 is not None:
            _sort_columns(bm25.scores)

    @property
    def _stemmer(self) -> Stemmer.Stemmer | None:
        """This thread's stemmer."""
        if not hasattr(self._per_thread, "stemmer"):
            self._per_thread.stemmer = _stemmer(self._stemmer_name)
        stemmer: Stemmer.Stemmer | None = self._per_thread.stemmer
        return stemmer

    @classmethod
    def build(cls, texts: list[str], *, stemmer: str | None = DEFAULT_STEMMER) -> LexicalIndex:
        """Index ``texts``; ``stemmer`` is a PyStemmer algorithm name (``Stemmer.algorithms()``) or ``None``."""
        stem = _stemmer(stemmer)
        corpus = [[t.key for t in tokenize(text, stem)] for text in texts]
        bm25 = None
        if any(corpus):
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        return cls(bm25, len(texts), stemmer)

    def __len__(self) -> int:
        return self._num_docs

    @property
    def stemmer(self) -> str | None:
        return self._stemmer_name

    def _term_ids(self, terms: list[Term]) -> list[int]:
        vocab: dict[str, int] = self._bm25.vocab_dict if self._bm25 is not None else {}
        return list(dict.fromkeys(vocab[t.key] for t in terms if t.key in vocab))

    def keys(self, text: str, dropped: frozenset[str] = frozenset()) -> list[str]:
        """The distinct keys ``text`` is searched by (lower-cased, stopwords left out, stemmed), in order; the
        lower-case words ``dropped`` are left out too."""
        return list(dict.fromkeys(t.key for t in tokenize(text, self._stemmer, dropped)))

    def postings(self, key: str) -> np.ndarray:
        """The documents holding the key ``key`` (see :meth:`keys`), ascending; empty when no document does. A view
        of the index's own array: read it, never write to it."""
        vocab: dict[str, int] = self._bm25.vocab_dict if self._bm25 is not None else {}
        if key not in vocab:
            return np.zeros(0, dtype=np.int64)
        return self._column(vocab[key])[0]

    def feedback(self, texts: Sequence[str], exclude: Iterable[str], n: int) -> list[tuple[str, float]]:
        """Up to ``n`` keys that characterise ``texts`` (feedback documents) and are not in ``exclude``: each key's
        frequency in a text over the text's length, summed over the texts, times its inverse document frequency in
        this index (Lucene's); keys the index lacks are left out. Each comes with its weight, scaled to a mean of 1.

        >>> index = LexicalIndex.build(["kinase assay", "kinase inhibitors", "cats"])
        >>> [(key, round(w, 2)) for key, w in index.feedback(["kinase assay"], [], 2)]  # keys are stems
        [('assay', 1.35), ('kinas', 0.65)]
        """
        vocab: dict[str, int] = self._bm25.vocab_dict if self._bm25 is not None else {}
        skip = set(exclude)
        weight: dict[str, float] = {}
        for text in texts:
            keys = [t.key for t in tokenize(text, self._stemmer) if t.key in vocab and t.key not in skip]
            for key in keys:
                weight[key] = weight.get(key, 0.0) + 1.0 / len(keys)
        if not weight:
            return []
        for key in weight:
            df = len(self.postings(key))
            weight[key] *= math.log(1.0 + (self._num_docs - df + 0.5) / (df + 0.5))
        best = sorted(weight.items(), key=lambda item: (-item[1], item[0]))[:n]
        mean = sum(w for _, w in best) / len(best)
        return [(key, w / mean) for key, w in best] if mean > 0 else []

    def weighted_scores_at(self, keys: Sequence[tuple[str, float]], rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """For each document in ``rows``: the sum over ``keys`` (key, weight) of weight times the key's BM25 score in
        it, read from those documents' postings only (float64)."""
        docs = self._check_rows(rows)
        held = self._held([Term(key, key) for key, _ in keys], docs)
        out = np.zeros(len(docs), dtype=np.float64)
        for key, w in keys:
            if key in held:
                out += w * held[key]
        return out

    def _column(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding term ``term_id`` (ascending) and its BM25 score in each."""
        assert self._bm25 is not None
        postings = self._bm25.scores
        start, end = int(postings["indptr"][term_id]), int(postings["indptr"][term_id + 1])
        return postings["indices"][start:end], postings["data"][start:end]

    def _scores_of_ids(self, ids: list[int]) -> np.ndarray:
        scores = np.zeros(self._num_docs, dtype=np.float32)
        for term_id in ids if self._bm25 is not None else []:
            rows, values = self._column(term_id)
            scores[rows] += values  # rows are distinct within a column, so no np.add.at is needed
        return scores

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of ``query`` for every document (float32, shape ``(len(self),)``); all 0 without terms."""
        return self._scores_of_ids(self._term_ids(tokenize(query, self._stemmer)))

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The at most ``k`` best allowed documents with a score above 0: ``(ids int64, scores float32)``.

        ``allowed`` is a boolean mask over the documents, applied before ranking.
        """
        mask = None if allowed is None else check_allowed(allowed, self._num_docs)
        scores = self.scores(query)
        keep = scores > 0
        if mask is not None:
            keep &= mask
        ids = np.flatnonzero(keep)
        order = top_k(scores[ids], k)
        return ids[order].astype(np.int64), scores[ids[order]]

    def scores_at(self, query: str, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """BM25 score of ``query`` for each document in ``rows`` (float32, equal to ``scores(query)[rows]``), read from
        those documents' postings only: what scoring a few hundred candidates needs, without their terms."""
        docs = self._check_rows(rows)
        held = self._held(tokenize(query, self._stemmer), docs)
        return self._summed(held, len(docs))

    def explain(self, query: str, rows: Sequence[int]) -> list[tuple[list[str], float]]:
        """For each document in ``rows``: the query's terms it holds (as ``matched_terms`` lists them) and its
        BM25 score for ``query`` (equal to ``scores(query)[row]``), read from those documents' postings only.
        Function words (``FUNCTION_WORDS``: "we", "from", "out") and the words of asking (``NEED_WORDS``: "need",
        "would") count in the score but are not listed: they say nothing of why a document fits."""
        docs = self._check_rows(rows)
        terms = tokenize(query, self._stemmer)
        held = self._held(terms, docs)
        scores = self._summed(held, len(docs))
        out = []
        for j in range(len(docs)):
            found: dict[str, str] = {}  # by lower-cased surface: the first way the query wrote it
            for term in terms:
                if term.key in held and held[term.key][j] > 0 and term.surface.lower() not in _UNSHOWN:
                    found.setdefault(term.surface.lower(), term.surface)
            out.append((list(found.values()), float(scores[j])))
        return out

    def _check_rows(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        docs = np.asarray(rows, dtype=np.int64).reshape(-1)
        if docs.size and not (int(docs.min()) >= 0 and int(docs.max()) < self._num_docs):
            bad = int(docs[(docs < 0) | (docs >= self._num_docs)][0])
            raise IndexError(f"doc_index {bad} is outside this index of {self._num_docs} documents")
        return docs

    def _held(self, terms: list[Term], docs: np.ndarray) -> dict[str, np.ndarray]:
        """By term key (in query order): the term's BM25 score in each of ``docs`` (0 where absent)."""
        vocab: dict[str, int] = self._bm25.vocab_dict if self._bm25 is not None else {}
        held: dict[str, np.ndarray] = {}
        for key in dict.fromkeys(t.key for t in terms if t.key in vocab):
            column, values = self._column(vocab[key])
            at = np.minimum(np.searchsorted(column, docs), max(len(column) - 1, 0))
            hit = column[at] == docs if len(column) else np.zeros(len(docs), dtype=bool)
            held[key] = np.where(hit, values[at] if len(column) else 0, 0).astype(np.float32)
        return held

    @staticmethod
    def _summed(held: dict[str, np.ndarray], n: int) -> np.ndarray:
        scores = np.zeros(n, dtype=np.float32)
        for term_scores in held.values():  # in query order, in float32, as `scores` adds them
            scores += term_scores
        return scores

    def matched_terms(self, query: str, doc_index: int) -> list[str]:
        """The query's terms that occur in document ``doc_index``, in query order, as the query wrote them.

        A term is listed once (the first way the query wrote it); two spellings with one stem (``run``,
        ``running``) are both listed; function words are not (``explain``).

        >>> LexicalIndex.build(["Data from our survey", "cats"]).matched_terms("We want data from our survey", 0)
        ['data', 'survey']
        """
        return self.explain(query, [doc_index])[0][0]

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` (created if needed): bm25s' own files under ``bm25/`` and ``lexical.json``."""
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(folder / BM25_FOLDER), show_progress=False)
        meta = {
            "num_docs": self._num_docs,
            "stemmer": self._stemmer_name,
            "stopwords": "bm25s STOPWORDS_EN",
            "empty": self._bm25 is None,
        }
        write_meta(folder / META_FILE, FORMAT, FORMAT_VERSION, meta)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read an index written by ``save``; ``StoreError`` when the folder does not hold one."""
        try:
            meta = read_meta(folder / META_FILE, FORMAT, FORMAT_VERSION)
            bm25 = None if meta["empty"] else bm25s.BM25.load(str(folder / BM25_FOLDER), show_progress=False)
        except (OSError, ValueError, KeyError) as e:
            raise StoreError(
                f"cannot load a lexical index from {folder}: {e}; rebuild it with LexicalIndex.build(...).save(folder)"
            ) from e
        if bm25 is not None and bm25.scores["num_docs"] != meta["num_docs"]:
            raise StoreError(
                f"lexical index in {folder} is inconsistent: lexical.json says {meta['num_docs']} documents, "
                f"bm25 holds {bm25.scores['num_docs']}; rebuild it"
            )
        return cls(bm25, int(meta["num_docs"]), meta["stemmer"])


def _sort_columns(postings: dict[str, np.ndarray], chunk: int = 1 << 24) -> None:
    """Make each term's column of documents ascending (bm25s builds them so; ``explain`` relies on it)."""
    indices, indptr = postings["indices"], postings["indptr"]
    starts = np.zeros(len(indices), dtype=bool)
    starts[indptr[:-1][indptr[:-1] < len(indices)]] = True  # a column's first entry need not exceed the last one's
    for begin in range(1, len(indices), chunk):
        end = min(begin + chunk, len(indices))
        if not np.all((indices[begin:end] > indices[begin - 1 : end - 1]) | starts[begin:end]):
            column = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
            order = np.lexsort((indices, column))
            postings["data"], postings["indices"] = postings["data"][order], indices[order]
            return
