"""Why a resource matched: the need's sentences and terms it shares, the subjects, and the graph path."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
MAX_SENTENCES = 40


@dataclass(frozen=True, slots=True)
class PathStep:
    """One node on the path from the need to the resource and beyond; ``relation`` leads to it."""

    relation: str  # e.g. "about", "subject of", "at facility", "hosted by", "contact person"
    iri: str | None
    label: str
    type: str


@dataclass(frozen=True, slots=True)
class Reason:
    """One thing besides the shared terms and subjects that speaks for a result, as data a page can say in the
    reader's language; ``text`` is the English sentence the summary gives."""

    kind: str  # graph | central | named | feedback | left_out
    text: str
    relation: str = ""  # graph: narrower concept | instrument at this facility | technique
    label: str = ""  # graph: the concept, instrument or technique the evidence came from
    count: int = 0  # central: others that have it among their nearest; named: records naming it; left_out: experts
    nearest: int = 0  # central: the neighbours per resource it is counted among
    names: tuple[str, ...] = ()  # named: the first few records that name it


@dataclass(slots=True)
class Explanation:
    matched_terms: list[str] = field(default_factory=list)
    matched_sentences: list[tuple[str, float]] = field(default_factory=list)  # (sentence of the need, cosine)
    shared_subjects: list[dict[str, str]] = field(default_factory=list)  # iri, label, scheme
    path: list[PathStep] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)  # channel scores, the fit and re-ranking factors
    reasons: list[Reason] = field(default_factory=list)  # what else speaks for it: the graph's evidence, diversity
    works: list[tuple[str, int, float]] = field(default_factory=list)  # an expert's closest works: title, year, sim
    glossary: list[tuple[str, list[str]]] = field(default_factory=list)  # a Chinese need's words and their English

    @property
    def own_similarity(self) -> float:
        """The similarity the result was read from by what it says itself (its signals): an expert's works' where
        they have works, else the best of its cosine with the whole need (``cosine_feedback`` where its type was
        ranked by the need moved towards its nearest documents) and with the need's closest sentence. The graph's
        evidence for it (``signals["graph"]``) is apart."""
        cosine = self.signals.get("cosine_feedback", self.signals.get("cosine", 0.0))  # what its evidence read
        own = max(cosine, self.signals.get("sentence", 0.0))
        return self.signals.get("works", own)

    @property
    def evidence(self) -> list[str]:
        """The reasons as English sentences."""
        return [r.text for r in self.reasons]

    def summary(self) -> str:
        """One line a person can read."""
        parts = []
        if len(self.matched_sentences) > 1:  # with one sentence, the closest is the need itself
            parts.append(f'closest to "{self.matched_sentences[0][0][:90]}"')
        if self.matched_terms:
            parts.append("shares the terms " + ", ".join(self.matched_terms[:6]))
        if self.shared_subjects:
            parts.append("on " + "; ".join(s["label"] for s in self.shared_subjects[:3]))
        parts.extend(self.evidence)
        if self.works:
            listed = "; ".join(f"{title} ({year})" if year else title for title, year, _ in self.works)
            parts.append(f"closest grants and works: {listed}")
        if len(self.path) > 2:
            parts.append(" → ".join(step.label for step in self.path))
        if not parts and "cosine" in self.signals:  # nothing but its meaning speaks for it
            parts.append(f"close in meaning to the need (similarity {self.signals['cosine']:.2f})")
        return "; ".join(parts)


def sentences(text: str) -> list[str]:
    """The need split into sentences (at most ``MAX_SENTENCES``), for per-sentence explanations."""
    found = [s.strip() for s in SENTENCE_END.split(text) if len(s.strip()) > 3]
    return found[:MAX_SENTENCES] or [text.strip()]


__all__ = ["Explanation", "PathStep", "Reason", "sentences"]
