"""A fit a person can read: the chance that a result is one an expert judged relevant, from the matcher's evidence.

The matcher's evidence for a result is its best similarity to the need (its own text's, or the graph's:
``graph.search.evidence``) and the BM25 evidence of the terms it shares with the need. A logistic model turns them
into a fit between 0 and 1:

    fit = 1 / (1 + exp(-(BIAS + SIMILARITY * similarity + LEXICAL * lexical)))

    lexical = bm25 / (bm25 + 10) * min(1, 8 / words of the need)     (experts: bm25 / (bm25 + 10))

The lexical evidence is weighed by the need's length, decided a priori, not fitted: an acronym or a product name
("XAFS", "Bruker D8") is what BM25 is for, while in a paragraph shared words are mostly incidental and the encoder
reads the meaning. That holds for a resource described by one short text (an instrument, a facility, a dataset);
an expert is described by their works, many texts on a few topics, where the terms a long need shares with them are
evidence of the topic, not incidental: experts (``FULL_LEXICAL_TYPES``) take BM25 at full weight whatever the need's
length (on the reviewer set, papers of about 175 words as needs, the pairwise loss went from 0.271 to 0.246, BM25
alone 0.256; ``benchmarks/results/eval.md``).

Its three numbers were fitted once (maximum likelihood) on the top ten results of every query of the development
judgements, English and Chinese (``benchmarks/calibrate.py``; method, the reliability diagrams and the expected
calibration error per set in ``benchmarks/results/calibration.md``). Nothing depends on a query: the same three
numbers hold for every need and every resource type. That fit counted a Chinese need's words on the Chinese alone;
counted as here, a refit weighs shared terms negatively, a bias of fitting on results the fit chose, so these
numbers stay until the calibration samples its candidates otherwise (``benchmarks/results/eval.md``).

Bands: **strong** from ``STRONG`` up, **good** from ``GOOD``, else **weak** (the thresholds are set against the share of
results the judgements call relevant, see below). A result under ``FLOOR`` is not
presented as a match; a type whose best result is under it says that nothing fits the need well and shows at most
``CLOSEST_WHEN_NONE`` of its closest resources, marked weak.
"""

from __future__ import annotations

import numpy as np

#: The fitted model (``benchmarks/calibrate.py``; ``benchmarks/results/calibration.md``).
BIAS = -6.197
SIMILARITY = 5.886
LEXICAL = 1.942
LEXICAL_HALF = 10.0  # the BM25 score that counts half of a saturated match
SHORT_NEED_WORDS = 8  # needs up to this long take BM25 at full weight; longer ones in proportion
FULL_LEXICAL_TYPES = frozenset({"Expert"})  # described by many works: BM25 at full weight for a need of any length
#: Band thresholds and the floor, on the fit itself. The judgements are sparse (a query's relevant items are the few
#: an expert listed), so a top ten holds 5 to 12 % judged relevant on the development sets: **good** is a result at
#: least that likely to be one, **strong** one over twice as likely, and the floor half of it.
STRONG = 0.15
GOOD = 0.06
FLOOR = 0.03
CLOSEST_WHEN_NONE = 3
NOTHING_FITS = "nothing here fits this need well; the closest are shown, marked weak"


def lexical_evidence(bm25: np.ndarray, words: int = 1, type_name: str = "") -> np.ndarray:
    """BM25 scores mapped into [0, 1), so that many shared rare terms count, but never without bound, and weighed by
    the length of the need (``words``) unless the results are of a type in ``FULL_LEXICAL_TYPES``.

    >>> lexical_evidence(np.array([0.0, 10.0])).tolist(), lexical_evidence(np.array([10.0]), words=16).tolist()
    ([0.0, 0.5], [0.25])
    >>> lexical_evidence(np.array([10.0]), words=16, type_name="Expert").tolist()
    [0.5]
    """
    scores = np.maximum(np.asarray(bm25, dtype=np.float64), 0.0)
    weight = 1.0 if type_name in FULL_LEXICAL_TYPES else min(1.0, SHORT_NEED_WORDS / max(words, 1))
    return scores / (scores + LEXICAL_HALF) * weight


def fit_of(similarity: np.ndarray, bm25: np.ndarray, words: int = 1, type_name: str = "") -> np.ndarray:
    """The fit (0 to 1) of results of type ``type_name`` with these similarities and BM25 scores, for a need of
    ``words`` words."""
    lexical = lexical_evidence(bm25, words, type_name)
    z = BIAS + SIMILARITY * np.asarray(similarity, dtype=np.float64) + LEXICAL * lexical
    out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return out


def band_of(fit: float) -> str:
    """``strong``, ``good`` or ``weak``.

    >>> [band_of(f) for f in (0.9, 0.1, 0.05)]
    ['strong', 'good', 'weak']
    """
    if fit >= STRONG:
        return "strong"
    if fit >= GOOD:
        return "good"
    return "weak"


__all__ = [
    "BIAS",
    "CLOSEST_WHEN_NONE",
    "FLOOR",
    "FULL_LEXICAL_TYPES",
    "GOOD",
    "LEXICAL",
    "NOTHING_FITS",
    "SIMILARITY",
    "STRONG",
    "band_of",
    "fit_of",
    "lexical_evidence",
]
