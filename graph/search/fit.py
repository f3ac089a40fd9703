"""A fit a person can read: the chance that a result is one an expert judged relevant, from the matcher's evidence.

The matcher's evidence for a result is its best similarity to the need (its own text's, with the whole need or with
the need's sentence closest to it, or the graph's: ``graph.search.evidence``) and the BM25 evidence of the terms it
shares with the need. Results rank by their **evidence**, in units of similarity:

    evidence = similarity + LEXICAL * lexical
    lexical  = L(bm25) + LEXICAL_FEEDBACK_WEIGHT * L(feedback)
    L(x)     = x / (x + 10) * min(1, 8 / words of the need)     (experts: x / (x + 10))

(``feedback``: the BM25 of the terms of the need's nearest documents, for a need read by its gloss, see
``graph.search.matcher``; each kind of term saturates on its own, so the terms a need borrows from its nearest
documents never count for more than half of what its own words can, however many of them a document shares: the
documents that supplied them share the most.)

plus, for the full matcher, how central the result is among its kind and how many of its kind name it (below),
and a logistic model of the evidence gives the fit, between 0 and 1 (Platt scaling):

    fit = 1 / (1 + exp(-(BIAS + SCALE * evidence)))

The lexical evidence is weighed by the need's length, decided a priori, not fitted: an acronym or a product name
("XAFS", "Bruker D8") is what BM25 is for, while in a paragraph shared words are mostly incidental and the encoder
reads the meaning. That holds for a resource described by one short text (an instrument, a facility, a dataset);
an expert is described by their works, many texts on a few topics, where the terms a long need shares with them are
evidence of the topic, not incidental: experts (``FULL_LEXICAL_TYPES``) take BM25 at full weight whatever the need's
length (on the reviewer set, papers of about 175 words as needs, the pairwise loss went from 0.271 to 0.246, BM25
alone 0.256; ``benchmarks/results/eval.md``).

``LEXICAL``, how much shared terms count against similarity, is a ranking decision: it comes from the joint fit of
2026-12-01 (lexical 1.942 against similarity 5.886) and is not refitted, because fitted again on the results the
ranking itself chose it comes out negative (``benchmarks/results/eval.md``). ``BIAS`` and ``SCALE`` are the
calibration: fitted by maximum likelihood on the top ten results of every query of the development judgements,
English and Chinese, which a recalibration can redo without reordering anything (``benchmarks/calibrate.py``;
method, the reliability diagrams and the expected calibration error per set in
``benchmarks/results/calibration.md``). Nothing depends on a query: the same numbers hold for every need and type.

**Centrality.** A resource many others of its kind lie nearest to is a central one of its area: the standard
benchmark that niche datasets were derived from or compared with, the general instrument type whose specialised
kinds sit around it. Between two resources that fit a need about as well, the central one is the likelier to be the
one an expert names (the development judgements name ImageNet, CIFAR-10 and COCO far more often than their
neighbours, and a general instrument type beside its specialisations). The catalogue shows this by itself: each
type's nearest-neighbour graph (every resource linked to its ``CENTRALITY_NEIGHBOURS`` nearest others of its type,
built with the index) gives each resource an in-degree, how many others have it among their nearest, of mean
``CENTRALITY_NEIGHBOURS``. Its evidence is the log of the in-degree against that mean, in units of log(1 + the mean),
between 0 and 1, weighed by ``CENTRALITY``:

    centrality = CENTRALITY * clip(log((1 + in-degree) / (1 + k)) / log(1 + k), 0, 1)    k = CENTRALITY_NEIGHBOURS

0 up to the mean in-degree, +0.15 from six times as often nearest, counting itself (in-degree 35 against 5). It is
bounded both ways on purpose: a resource few others lie near (the one NMR spectrometer of a catalogue of beamlines) is
not thereby a worse fit, and no resource gains more than ``CENTRALITY`` for being central (a hub of the embedding
space is not made a match). It needs no query, no usage record and no judgement; the numbers were chosen on the four
development sets, where 3 to 8 neighbours and weights 0.1 to 0.2 all helped each of them, and the bounds cost none of
them anything (``benchmarks/results/eval.md``). Centrality ranks and calibrates, but it does not say that a resource
fits the need: the floor (below) reads the evidence without it. It does not rank people (``NOT_BY_CENTRALITY``): an
expert many others lie near has a broad profile, not the expertise a need names, and on held-out authorship (each
researcher's newest work asked of the others, ``benchmarks/expert_authorship.py``) it put the right expert lower for
both pools measured.

**Named by others of its kind.** The records of a catalogue also cite each other: a dataset's description names
the datasets it was built from or is compared with ("images taken from COCO", "a subset of ImageNet"), and the
standard ones are named by many (in DataFinder's catalogue of 3,293 datasets, COCO by 38 others, ImageNet by 26;
91 % by none). How many of a type's records name a resource (``graph.search.mentions``: proper names, whole words,
counted once per record) is its in-degree in the catalogue's graph of references, a second centrality read from the
records alone, counted beside the first:

    named = MENTIONS * clip(log(1 + named by) / log(1 + MENTIONS_FULL), 0, 1)

0 for a resource no other record names, +0.029 for one, +0.1 from ``MENTIONS_FULL`` up. Only datasets count
(``graph.search.mentions.REFERENCE_TYPES``): the other kinds' records name each other for other reasons (experts
listed in one award's abstract, instruments whose names describe their kind, concepts whose definitions name their
parts). The weight was set under ``CENTRALITY`` (far fewer records have a mention than a nearest-neighbour
in-degree); on the two DataFinder sets 0.05 to 0.2 all helped, 0.1 gave most of it (``benchmarks/results/eval.md``).
Like centrality, it ranks and calibrates and the floor does not read it.

Bands: **strong** from ``STRONG`` up, **good** from ``GOOD``, else **weak** (the thresholds are set against the share of
results the judgements call relevant, see below).

**The floor** is on the evidence, not on the fit: the calibration's needs all have something relevant to find, so the
fit says how likely a result is to be relevant *given* that the catalogue holds something for the need, and nothing
about needs for which it holds nothing. The floor is measured on needs of that kind: every development need asked of
the other set's catalogue (a chemistry method of the machine-learning datasets, a machine-learning idea of the
instrument types, English and Chinese), where nothing is relevant. It is read on the evidence of the need as written:
for datasets the ranking reads the need moved towards its nearest documents (pseudo-relevance feedback), which lifts
them whether or not anything fits (the chemistry methods' best dataset: a median evidence of 0.48 with feedback, 0.34
without). ``FLOOR_EVIDENCE`` is the evidence that the best of the first ``GATE_DEPTH`` results of 95 % of those needs
stays under (``benchmarks/calibrate.py``). A type is presented only if one of its first ``GATE_DEPTH`` results reaches
it by the need as written, and then only its results whose evidence reaches it; a type that does not says that
nothing fits the need well and shows at most ``CLOSEST_WHEN_NONE`` of its closest resources, marked weak, their fit
read on the need as written too (under ``FLOOR``, the same floor as a fit).

"""

from __future__ import annotations

import numpy as np

#: The ranking's weight of shared terms against similarity (a ranking decision, see above).
LEXICAL = 0.33
#: The weight of how central a resource is among its kind (see above), and the neighbours per resource of the type's
#: nearest-neighbour graph its in-degree is counted in.
CENTRALITY = 0.15
CENTRALITY_NEIGHBOURS = 5
#: The types centrality does not rank (see above): people.
NOT_BY_CENTRALITY = frozenset({"Expert"})
#: The weight of being named by others of its kind (see above), and the number of them that earns all of it.
MENTIONS = 0.1
MENTIONS_FULL = 10
#: The calibration (``benchmarks/calibrate.py``; ``benchmarks/results/calibration.md``).
BIAS = -5.626
SCALE = 4.896
LEXICAL_HALF = 10.0  # the BM25 score that counts half of a saturated match
SHORT_NEED_WORDS = 8  # needs up to this long take BM25 at full weight; longer ones in proportion
LEXICAL_FEEDBACK_WEIGHT = 0.5  # a term borrowed from the need's nearest documents, against one of the need's own
FULL_LEXICAL_TYPES = frozenset({"Expert"})  # described by many works: BM25 at full weight for a need of any length
#: Band thresholds, on the fit. The judgements are sparse (a query's relevant items are the few an expert listed), so
#: a top ten holds 5 to 12 % judged relevant on the development sets: **good** is a result at least that likely to be
#: one, **strong** one over twice as likely.
STRONG = 0.15
GOOD = 0.06
#: The evidence under which a result is not presented as a match (measured on needs with nothing to find, see above),
#: and how many of a type's first results the need as written must reach it with for the type to be presented.
FLOOR_EVIDENCE = 0.454
GATE_DEPTH = 10
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


def lexical_of(bm25: np.ndarray, words: int = 1, type_name: str = "", feedback: np.ndarray | float = 0.0) -> np.ndarray:
    """The lexical evidence of results with these BM25 scores of the need's own terms and ``feedback``, those of the
    terms borrowed from its nearest documents: each saturating on its own, the borrowed at ``LEXICAL_FEEDBACK_WEIGHT``.

    >>> lexical_of(np.array([10.0]), feedback=10.0).tolist()
    [0.75]
    """
    borrowed = lexical_evidence(np.asarray(feedback), words, type_name)
    out: np.ndarray = lexical_evidence(bm25, words, type_name) + LEXICAL_FEEDBACK_WEIGHT * borrowed
    return out


def evidence_of(
    similarity: np.ndarray,
    bm25: np.ndarray,
    words: int = 1,
    type_name: str = "",
    feedback: np.ndarray | float = 0.0,
) -> np.ndarray:
    """What results of type ``type_name`` with these similarities and BM25 scores (and BM25 of the terms borrowed
    from the need's nearest documents, ``feedback``) rank by, for a need of ``words`` words: their similarity plus their
    lexical evidence at ``LEXICAL``.

    >>> half = np.array([0.5])
    >>> evidence_of(half, np.array([10.0])).tolist(), evidence_of(half, np.array([0.0]), feedback=10.0).tolist()
    ([0.665], [0.5825])
    """
    lexical = lexical_of(bm25, words, type_name, feedback)
    out: np.ndarray = np.asarray(similarity, dtype=np.float64) + LEXICAL * lexical
    return out


def centrality_evidence(in_degree: np.ndarray, neighbours: int = CENTRALITY_NEIGHBOURS) -> np.ndarray:
    """What being central among its kind adds to a resource's evidence (see above), from its in-degree in its type's
    nearest-neighbour graph of ``neighbours`` neighbours per resource (the mean in-degree; fewer than
    ``CENTRALITY_NEIGHBOURS`` in a type of that many resources or fewer).

    >>> centrality_evidence(np.array([0, 5, 13, 35, 200])).round(3).tolist()
    [0.0, 0.0, 0.071, 0.15, 0.15]
    """
    degree = np.asarray(in_degree, dtype=np.float64)
    if neighbours <= 0:
        return np.zeros_like(degree)
    units = np.log((1.0 + degree) / (1.0 + neighbours)) / np.log(1.0 + neighbours)
    out: np.ndarray = CENTRALITY * np.clip(units, 0.0, 1.0)
    return out


def mention_evidence(mentioned_by: np.ndarray) -> np.ndarray:
    """What being named in the text of others of its kind adds to a resource's evidence (see above), from how many
    of them name it (``graph.search.mentions``).

    >>> mention_evidence(np.array([0, 1, 3, 10, 38])).round(3).tolist()
    [0.0, 0.029, 0.058, 0.1, 0.1]
    """
    named = np.asarray(mentioned_by, dtype=np.float64)
    out: np.ndarray = MENTIONS * np.clip(np.log1p(named) / np.log1p(MENTIONS_FULL), 0.0, 1.0)
    return out


def fit_of_evidence(evidence: np.ndarray | float) -> np.ndarray:
    """The calibrated fit (0 to 1) of results with this evidence."""
    out: np.ndarray = 1.0 / (1.0 + np.exp(-(BIAS + SCALE * np.asarray(evidence, dtype=np.float64))))
    return out


#: The floor as a fit (the fit increases with the evidence): the least fit a presented result has.
FLOOR = float(fit_of_evidence(FLOOR_EVIDENCE))


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
    "CENTRALITY",
    "CENTRALITY_NEIGHBOURS",
    "CLOSEST_WHEN_NONE",
    "FLOOR",
    "FLOOR_EVIDENCE",
    "FULL_LEXICAL_TYPES",
    "GATE_DEPTH",
    "GOOD",
    "LEXICAL",
    "LEXICAL_FEEDBACK_WEIGHT",
    "NOTHING_FITS",
    "NOT_BY_CENTRALITY",
    "SCALE",
    "STRONG",
    "band_of",
    "centrality_evidence",
    "evidence_of",
    "fit_of_evidence",
    "lexical_evidence",
    "lexical_of",
]
