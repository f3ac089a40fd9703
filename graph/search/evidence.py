"""Graph evidence: how close a need is to what the graph connects a resource with, beside the resource's own text.

A resource's own text is one view of it; the graph knows more, and its evidence flows along typed links:

- a concept of a scheme (an instrument type, a technique) stands for everything under it (``skos:broader``): a need
  for cold-field-emission SEM is a need for a scanning electron microscope and for a microscope, so each concept gets
  the best similarity among itself and the concepts below it;
- a facility offers the instruments that sit in it (``skg:atFacility``): a beamline that fits, by its own text or by
  the techniques it names, is evidence for its light source;
- an instrument is an instance of the technique and instrument-type concepts its text names (linked at indexing by
  label or abbreviation, ``documents._TechniqueLinker``): a need for XAFS reaches an instrument whose record says
  "General purpose XAFS";
- an expert is their works: the grants and papers closest to the need, recent ones counting more, say more than
  the mean of everything they did (``GraphEvidence.works_of``).

Each channel gives, per document, the evidence's similarity and where it came from (shown in the explanation). The
matcher takes, per document, the best of its own similarity and this evidence; an expert's works are their own
text, so for an expert with works their similarity replaces the profile's (``benchmarks/results/eval.md`` has the
effect of each step on every development set).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from graph.search.encoding import need_similarity
from graph.search.index import PASSAGE_TYPES, SearchIndex

#: An expert's similarity to a need is the smooth maximum of their works' similarities at this temperature, in units
#: of cosine (``GraphEvidence.works_of``): a work ``WORKS_TEMPERATURE`` below the closest counts 1/e as much.
WORKS_TEMPERATURE = 0.1
#: How fast a work's weight falls with its age (``1 / (1 + age / RECENCY_YEARS)``, ages counted from the expert's
#: newest work).
RECENCY_YEARS = 10.0
#: Subjects (concepts) whose similarity to the need is passed on to the instruments that name them, and how many of
#: each subject's instruments at most (a technique many thousands of instruments name would otherwise be walked in
#: full for every need: ``benchmarks/results/match.md``).
TECHNIQUE_SUBJECTS = 20
TECHNIQUE_USERS = 500


@dataclass(frozen=True, slots=True)
class Evidence:
    """The best evidence the graph holds for one document: its similarity to the need and where it came from."""

    similarity: float
    relation: str  # "narrower concept", "instrument at this facility", "technique"
    source: str  # the IRI the evidence came from
    label: str


class GraphEvidence:
    """The graph's links that carry evidence, read once from the index: per type, which documents (or subjects) are
    evidence for which."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        position = index.position
        self._ancestors: dict[int, list[int]] = {}  # concept row -> every concept row above it
        parents = {
            i: [position[b] for b in d.related.get("broader", []) if b in position] for i, d in enumerate(index.docs)
        }
        for i in parents:
            if parents[i]:
                self._ancestors[i] = _closure(i, parents)
        self._facility_of: dict[int, list[int]] = defaultdict(list)  # instrument row -> facility rows
        self._technique_users: dict[int, list[int]] = defaultdict(list)  # subject row -> instrument rows
        subject_row = {s.iri: j for j, s in enumerate(index.subjects)}
        for i, d in enumerate(index.docs):
            if d.type == "Facility":
                for instrument in d.related.get("instrument", []):
                    if instrument in position:
                        self._facility_of[position[instrument]].append(i)
            for concept in d.related.get("technique", []):
                if concept in subject_row:
                    self._technique_users[subject_row[concept]].append(i)
        # per technique, the instruments naming it that sit in a facility (what a facility's evidence reads)
        self._technique_at_facility = {
            j: at for j, users in self._technique_users.items() if (at := [r for r in users if r in self._facility_of])
        }
        self._carried = {index.docs[row].type for ancestors in self._ancestors.values() for row in ancestors}
        self._carried |= {"Facility"} if self._facility_of else set()
        self._carried |= {"Instrument"} if self._technique_users else set()
        self._carried |= set(PASSAGE_TYPES)
        self._works = {t: _WorkRows.of(index, t) for t in PASSAGE_TYPES if t in index.parts}

    def for_rows(
        self,
        vector: np.ndarray,
        type_name: str,
        hits: dict[str, tuple[np.ndarray, np.ndarray]],
        subject_sims: np.ndarray | None,
    ) -> dict[int, Evidence]:
        """Evidence for documents of ``type_name`` (document rows), from ``hits``: per type, the rows nearest the
        need and their similarities (what dense search found), and ``subject_sims``, the need's similarity to every
        subject."""
        found: dict[int, Evidence] = {}

        def offer(row: int, evidence: Evidence) -> None:
            if row not in found or evidence.similarity > found[row].similarity:
                found[row] = evidence

        docs = self.index.docs
        own = hits.get(type_name)
        if own is not None and self._ancestors:
            for row, sim in zip(own[0].tolist(), own[1].tolist(), strict=True):
                for ancestor in self._ancestors.get(row, []):
                    offer(ancestor, Evidence(sim, "narrower concept", docs[row].iri, docs[row].label))
        instruments = hits.get("Instrument")
        if type_name == "Facility" and instruments is not None:
            # an instrument's evidence is its own similarity or its techniques', and flows on to its facility
            reach = dict(zip(instruments[0].tolist(), instruments[1].tolist(), strict=True))
            for row, evidence in self._techniques(subject_sims, self._technique_at_facility).items():
                if evidence.similarity > reach.get(row, -1.0):
                    reach[row] = evidence.similarity
            for row, sim in reach.items():
                for facility in self._facility_of.get(row, []):
                    offer(facility, Evidence(sim, "instrument at this facility", docs[row].iri, docs[row].label))
        if type_name == "Instrument":
            for row, evidence in self._techniques(subject_sims, self._technique_users).items():
                offer(row, evidence)
        return found

    def _techniques(self, subject_sims: np.ndarray | None, users: dict[int, list[int]]) -> dict[int, Evidence]:
        """Instruments' evidence from the technique concepts they name: per instrument (document row) of ``users``
        (subject row -> the instruments naming it), the nearest of the need's ``TECHNIQUE_SUBJECTS`` closest subjects
        that it names."""
        found: dict[int, Evidence] = {}
        if subject_sims is None or not users:
            return found
        count = min(TECHNIQUE_SUBJECTS, len(subject_sims))
        nearest = np.argpartition(-subject_sims, count - 1)[:count] if count else np.zeros(0, np.int64)
        for j in nearest[np.argsort(-subject_sims[nearest])].tolist():
            subject = self.index.subjects[j]
            for row in users.get(j, [])[:TECHNIQUE_USERS]:
                if row not in found:  # subjects come nearest first
                    found[row] = Evidence(float(subject_sims[j]), "technique", subject.iri, subject.label)
        return found

    def carries(self, type_name: str) -> bool:
        """Whether the graph holds evidence for documents of ``type_name`` (concepts with narrower ones, facilities with
        instruments, instruments naming techniques, experts with works)."""
        return type_name in self._carried

    def works_of(
        self, type_name: str, vector: np.ndarray, rows: np.ndarray, sentence_vectors: np.ndarray | None = None
    ) -> np.ndarray:
        """Experts' similarity to the need from their works (a document-centric expert model): per expert of
        ``rows`` (document rows of ``type_name``), the smooth maximum of their works' similarities,

            similarity = T * log(sum over works d of p(d) * exp(s_d / T))        T = WORKS_TEMPERATURE

        where ``s_d`` is the work's similarity to the need (the best of its cosine with the whole need and with the
        need's closest sentence, ``sentence_vectors``, as for any resource) and ``p(d)`` its weight by recency
        (``1 / (1 + age / RECENCY_YEARS)``), normalised over the expert's works. It lies between the weighted mean of
        the works' similarities and the closest one's: the works near the need count, each by how near, and one close
        paper among many far ones is not averaged away as in the profile's mean vector, nor is one chance match taken
        for a field. NaN for a row without per-work vectors. All the rows' works are read in one gather and scored in
        one product, from arrays made once per index (``_WorkRows``): a loop over the candidates cost more than the
        arithmetic."""
        out = np.full(len(rows), np.nan)
        works = self._works.get(type_name)
        part = self.index.parts.get(type_name)
        if works is None or part is None or part.passage_vectors is None or not len(rows):
            return out
        local = self.index.local[rows]
        counts = works.count[local]
        has = counts > 0
        counts = counts[has]
        if not len(counts):
            return out
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        segment = np.repeat(np.arange(len(counts)), counts)
        gather = np.repeat(works.first[local[has]] - starts, counts) + np.arange(int(counts.sum()))
        sims = need_similarity(np.asarray(part.passage_vectors[gather], dtype=np.float32), vector, sentence_vectors)
        years = works.year[gather].astype(np.float64)
        newest = np.maximum.reduceat(years, starts)[segment]  # 0 where no work of the expert has a year
        weights = np.where(years > 0, 1.0 / (1.0 + np.maximum(newest - years, 0) / RECENCY_YEARS), 1.0)
        # log-sum-exp per expert, shifted by the expert's closest work so that nothing overflows
        closest = np.maximum.reduceat(sims, starts)
        mass = np.bincount(segment, weights=weights * np.exp((sims - closest[segment]) / WORKS_TEMPERATURE))
        out[has] = closest + WORKS_TEMPERATURE * np.log(mass / np.bincount(segment, weights=weights))
        return out

    def justifying_works(
        self, vector: np.ndarray, row: int, n: int = 3, sentence_vectors: np.ndarray | None = None
    ) -> list[tuple[str, int, float]]:
        """An expert's ``n`` works closest to the need, by the similarity ``works_of`` reads: (title, year,
        similarity)."""
        doc = self.index.docs[row]
        passages = self.index.parts[doc.type].passages_of(int(self.index.local[row]))
        if passages is None or not doc.works:
            return []
        works = np.asarray(passages[len(passages) - len(doc.works) :], dtype=np.float32)
        sims = need_similarity(works, vector, sentence_vectors)
        order = np.argsort(-sims, kind="stable")[:n]
        return [(doc.works[j][0], int(doc.works[j][1]), round(float(sims[j]), 3)) for j in order]


@dataclass(frozen=True, slots=True)
class _WorkRows:
    """Where each expert's works sit among a type's passage vectors, made once per index: per local row the first
    work's passage and the number of works (0: none with vectors), and per passage the work's year (0: unknown, or
    not a work). An expert's works are their last passages, most recent first (``documents._expert``)."""

    first: np.ndarray
    count: np.ndarray
    year: np.ndarray

    @classmethod
    def of(cls, index: SearchIndex, type_name: str) -> _WorkRows:
        part = index.parts[type_name]
        first = np.zeros(len(part.rows), dtype=np.int64)
        count = np.zeros(len(part.rows), dtype=np.int64)
        bounds = part.passage_start
        year = np.zeros(int(bounds[-1]) if bounds is not None else 0, dtype=np.int16)
        if bounds is None:
            return cls(first, count, year)
        for local, row in enumerate(part.rows.tolist()):
            works = index.docs[row].works
            end = int(bounds[local + 1])
            if works and end - int(bounds[local]) >= len(works):
                first[local], count[local] = end - len(works), len(works)
                year[end - len(works) : end] = [max(0, min(y, 9999)) for _, y in works]
        return cls(first, count, year)


def _closure(start: int, parents: dict[int, list[int]]) -> list[int]:
    """Every row above ``start`` (parents, their parents, ...), each once."""
    seen: dict[int, None] = {}
    stack: list[int] = list(parents.get(start, []))
    while stack:
        row = stack.pop()
        if row not in seen and row != start:
            seen[row] = None
            stack.extend(parents.get(row, []))
    return list(seen)


__all__ = ["RECENCY_YEARS", "WORKS_TEMPERATURE", "Evidence", "GraphEvidence"]
