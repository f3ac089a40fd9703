"""Unmet needs: logged needs nothing in the catalogue fitted well, grouped by meaning and named by subject.

A need is *unmet* when the matcher told the team that nothing fits it well in every type it answered: no result
presented as a match, each type's best evidence under the floor measured on needs with nothing to find
(``graph.search.fit``), as the demand log kept it (``TopResult.presented``). The report lists the needs the students
were told nothing fits, no more and no fewer. Needs logged before the log kept that (schema version 3 and older)
are judged as they were: unmet when their best fit fell below ``threshold``, the best cosine similarity between
the need and the results it was given, or, for requests logged without cosines, between the need and every
resource of the index of the types it asked for. On the development needs (277, English and Chinese) asked of the
bundled sample the two rules disagreed on 19: 14 needs told that nothing fits had a result at a cosine of 0.45 or
more, and 5 under it had one presented by the evidence of the graph or shared terms.

``DEFAULT_THRESHOLD`` (0.45) was read off the real model (all-MiniLM-L6-v2) on the bundled sample (5,340
resources): over 187 real need texts (108 DataFinder research ideas, 61 CHMO method definitions, 18 needs
written the way student teams put them) the best fit ranged 0.34 to 0.79 (10th percentile 0.42, median 0.54).
Reading the best match of each need from the lowest up, most below 0.45 were off-topic (capillary
isotachophoresis → a mass spectrometer; a survey on loneliness → an anthropologist; a solar water purifier →
a chemistry analyser) and most above it were on-topic; 18 % of those needs fall below it.

Clustering is average linkage over the needs' embeddings: start with each need alone, repeatedly merge the two
groups whose mean pairwise cosine similarity is highest, stop when no pair reaches ``cluster_similarity``.
``DEFAULT_CLUSTER_SIMILARITY`` (0.5) comes from the same 187 texts: pairs above 0.5 (the top 1.5 % of all
pairs) were the same topic (two face-recognition ideas, two kinds of electron microscopy), while between 0.45
and 0.5 they began to mix (helium-ion microscopy with sputter deposition). The merge loop is O(n³) in numpy;
a year of unmet needs at one centre (hundreds to a few thousand) takes seconds.

A cluster is named by the subjects of the index (PaNET, CHMO, ANZSRC, OECD…) nearest to its centroid, as
search_index infers a resource's subjects (at most 3, cosine ≥ ``INFERRED_SUBJECT_MIN``); a cluster no subject
is that close to is named by its most central need.

The needs' vectors are those the demand log stored when it logged them (``DemandLog.vectors``): only needs logged
without one (migrated rows) are encoded, once, and stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from graph.centre.demand import MIN_FIT, DemandLog, LoggedNeed
from graph.errors import InputError
from graph.search import INFERRED_SUBJECT_MIN, INFERRED_SUBJECTS, Embedder, SearchIndex

DEFAULT_THRESHOLD = MIN_FIT  # 0.45: the demand log counts demand from the same floor
DEFAULT_CLUSTER_SIMILARITY = 0.5
LABEL_CHARS = 80


@dataclass(frozen=True, slots=True)
class UnmetNeed:
    id: int
    text: str
    asked_at: str
    best_fit: float  # best cosine similarity to what the catalogue offered
    best_iri: str | None  # the resource that came closest (None when recomputed against an empty index)
    team: str | None  # personal data: only what the asker sent
    organization: str | None


@dataclass(frozen=True, slots=True)
class ClusterSubject:
    iri: str
    label: str
    scheme: str
    similarity: float  # cosine with the cluster's centroid


@dataclass(frozen=True, slots=True)
class NeedCluster:
    label: str  # the nearest subject's label, or the most central need's opening words
    subjects: tuple[ClusterSubject, ...]
    size: int
    cohesion: float  # mean pairwise cosine of its needs (1.0 for a single need)
    per_month: tuple[tuple[str, int], ...]  # ("2026-03", count) for every month of the report
    examples: tuple[str, ...]  # texts of the most central needs
    needs: tuple[UnmetNeed, ...]  # most central first


@dataclass(frozen=True, slots=True)
class UnmetReport:
    threshold: float  # the best cosine under which a need logged without the matcher's verdict counts as unmet
    cluster_similarity: float
    considered: int  # needs in the window
    unmet: int
    months: tuple[str, ...]  # "YYYY-MM", every month from the first to the last of the report
    per_month: tuple[tuple[str, int], ...]  # unmet needs per month
    clusters: tuple[NeedCluster, ...]  # largest first
    by_threshold: int = 0  # needs in the window logged without the matcher's verdict, judged by ``threshold``


def unmet_needs(
    log: DemandLog,
    index: SearchIndex,
    embedder: Embedder,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    cluster_similarity: float = DEFAULT_CLUSTER_SIMILARITY,
    since: datetime | None = None,
    until: datetime | None = None,
    examples: int = 3,
) -> UnmetReport:
    """The needs asked in ``[since, until)`` that were told nothing fits them well (logged without saying: whose
    best fit fell below ``threshold``), clustered and labelled."""
    for name, value in (("threshold", threshold), ("cluster_similarity", cluster_similarity)):
        if not -1.0 <= value <= 1.0:
            raise InputError(f"{name} is {value}; a cosine similarity lies between -1 and 1")
    needs = log.needs(since, until)
    vectors = log.vectors((n.id for n in needs if n.best_cosine is None), embedder)  # stored when logged
    fits = {n.id: _best_fit(n, index, vectors.get(n.id)) for n in needs}
    unmet = [n for n in needs if n.nothing_fitted or (n.nothing_fitted is None and fits[n.id][0] < threshold)]
    vectors.update(log.vectors((n.id for n in unmet if n.id not in vectors), embedder))
    found = [UnmetNeed(n.id, n.text, n.asked_at, *fits[n.id], n.team, n.organization) for n in unmet]
    months = _months([n.asked_at for n in found], since, until)
    matrix = np.stack([vectors[n.id] for n in found]) if found else np.zeros((0, embedder.dim), dtype=np.float32)
    groups = average_linkage(matrix, cluster_similarity)
    clusters = [_cluster([found[i] for i in g], matrix[g], index, months, examples) for g in groups]
    clusters.sort(key=lambda c: (-c.size, min(n.id for n in c.needs)))
    total = Counter(n.asked_at[:7] for n in found)
    return UnmetReport(
        threshold,
        cluster_similarity,
        len(needs),
        len(found),
        months,
        tuple((m, total[m]) for m in months),
        tuple(clusters),
        sum(n.nothing_fitted is None for n in needs),
    )


def average_linkage(vectors: np.ndarray, min_similarity: float) -> list[list[int]]:
    """Groups of row indices of ``vectors`` (L2-normalised) by average-linkage agglomeration, merging while the
    mean pairwise cosine of the closest two groups is at least ``min_similarity``; each group sorted, the groups
    in order of their first row.

    >>> average_linkage(np.array([[1.0, 0.0], [0.96, 0.28], [0.0, 1.0]]), 0.5)
    [[0, 1], [2]]
    """
    n = len(vectors)
    sim = np.asarray(vectors, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64).T
    np.fill_diagonal(sim, -np.inf)
    sizes = np.ones(n)
    members = [[i] for i in range(n)]
    while n > 1:
        flat = int(np.argmax(sim))
        i, j = divmod(flat, n)
        if sim[i, j] < min_similarity:
            break
        i, j = min(i, j), max(i, j)
        merged = (sizes[i] * sim[i] + sizes[j] * sim[j]) / (sizes[i] + sizes[j])  # Lance-Williams, average
        sim[i, :], sim[:, i] = merged, merged
        sim[i, i] = -np.inf
        sim[j, :], sim[:, j] = -np.inf, -np.inf
        sizes[i] += sizes[j]
        members[i] += members[j]
        members[j] = []
    return [sorted(m) for m in members if m]


def _best_fit(need: LoggedNeed, index: SearchIndex, vector: np.ndarray | None) -> tuple[float, str | None]:
    """The logged best cosine, or (without one) the best over the index's resources of the types asked."""
    logged = [r for r in need.results if r.cosine is not None]
    if logged:
        best = max(logged, key=lambda r: r.cosine or 0.0)
        return float(best.cosine or 0.0), best.iri
    assert vector is not None
    asked = need.filters.get("types")
    types = {str(t) for t in asked} if isinstance(asked, (list, tuple)) else set()
    allowed = np.fromiter((not types or d.type in types for d in index.docs), dtype=np.bool_, count=len(index.docs))
    if not allowed.any():
        return 0.0, None
    sims = np.where(allowed, index.vectors @ vector, -np.inf)
    row = int(np.argmax(sims))
    return round(float(sims[row]), 4), index.docs[row].iri


def _cluster(
    needs: list[UnmetNeed], vectors: np.ndarray, index: SearchIndex, months: Sequence[str], examples: int
) -> NeedCluster:
    centroid = vectors.mean(axis=0)
    centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
    order = np.argsort(-(vectors @ centroid), kind="stable")
    central = [needs[i] for i in order]
    subjects = _subjects(index, centroid)
    label = subjects[0].label if subjects else _opening(central[0].text)
    pairwise = vectors @ vectors.T
    size = len(needs)
    cohesion = 1.0 if size == 1 else float((pairwise.sum() - np.trace(pairwise)) / (size * (size - 1)))
    counts = Counter(n.asked_at[:7] for n in needs)
    return NeedCluster(
        label,
        subjects,
        size,
        round(cohesion, 4),
        tuple((m, counts[m]) for m in months),
        tuple(n.text for n in central[:examples]),
        tuple(central),
    )


def _subjects(index: SearchIndex, centroid: np.ndarray) -> tuple[ClusterSubject, ...]:
    if len(index.subject_vectors) == 0:
        return ()
    sims = index.subject_vectors @ centroid
    top = np.argsort(-sims, kind="stable")[:INFERRED_SUBJECTS]
    return tuple(
        ClusterSubject(s.iri, s.label, s.scheme_label or s.scheme, round(float(sims[i]), 4))
        for i in top
        if sims[i] >= INFERRED_SUBJECT_MIN
        for s in [index.subjects[int(i)]]
    )


def _opening(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= LABEL_CHARS else words[: LABEL_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _months(asked: Sequence[str], since: datetime | None, until: datetime | None) -> tuple[str, ...]:
    """Every month from the window's (or the data's) first to its last, as "YYYY-MM"."""
    first = since.astimezone(UTC).strftime("%Y-%m") if since is not None else min(asked, default="")[:7]
    last = (
        (until - timedelta(microseconds=1)).astimezone(UTC).strftime("%Y-%m") if until else max(asked, default="")[:7]
    )
    if not first or not last:
        return tuple(sorted({a[:7] for a in asked}))
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


__all__ = [
    "DEFAULT_CLUSTER_SIMILARITY",
    "DEFAULT_THRESHOLD",
    "ClusterSubject",
    "NeedCluster",
    "UnmetNeed",
    "UnmetReport",
    "average_linkage",
    "unmet_needs",
]
