"""The contest lifecycle read back from the graph: contests with their tracks and challenge topics, and entries with
their team, need, matched resources, mentors and outputs (see ``ontology/sharekg.ttl``, the Sharing Cup section)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from graph.store import SparqlStore, iri_ref, select
from graph.store import sparql_queries as q
from ontology.terms import SKG_NS


@dataclass(frozen=True, slots=True)
class Ref:
    iri: str
    label: str


@dataclass(frozen=True, slots=True)
class Contest:
    iri: str
    label: str
    start: str
    end: str
    tracks: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    iri: str
    label: str
    text: str
    posted_by: Ref | None


@dataclass(frozen=True, slots=True)
class EntrySummary:
    iri: str
    label: str
    track: str
    topic: str | None
    team: Ref | None


@dataclass(frozen=True, slots=True)
class ContestDetail:
    contest: Contest
    topics: tuple[Topic, ...]
    entries: tuple[EntrySummary, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    iri: str
    label: str
    need: str
    track: Ref | None
    topic: Ref | None
    team: Ref | None
    members: tuple[Ref, ...]
    team_organizations: tuple[Ref, ...]
    matched_resources: tuple[Ref, ...]
    mentors: tuple[Ref, ...]
    outputs: tuple[Ref, ...]


def _v(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else ""


def contests(store: SparqlStore) -> list[Contest]:
    """Every contest, newest first, with its tracks."""
    found: dict[str, tuple[str, str, str, dict[str, str]]] = {}
    for r in select(store, q.CONTESTS_QUERY):
        iri = _v(r["contest"])
        tracks = found.setdefault(iri, (_v(r["label"]), _v(r["start"]), _v(r["end"]), {}))[3]
        if r["track"] is not None:
            tracks[_v(r["track"])] = _v(r["trackLabel"]) or _v(r["track"])
    return [Contest(i, lab, s, e, tuple(Ref(t, n) for t, n in tr.items())) for i, (lab, s, e, tr) in found.items()]


def stated_needs(store: SparqlStore) -> list[tuple[str, str]]:
    """(entry IRI, need text) of every entry that states its need."""
    return [(_v(r["entry"]), _v(r["text"])) for r in select(store, q.STATED_NEEDS_QUERY)]


def contest_detail(store: SparqlStore, iri: str) -> ContestDetail | None:
    """A contest with its challenge topics and entries; None when there is no such contest."""
    contest = next((c for c in contests(store) if c.iri == iri), None)
    if contest is None:
        return None
    node = iri_ref(iri)
    topics = [
        Topic(
            _v(r["topic"]),
            _v(r["label"]) or _v(r["topic"]),
            _v(r["text"]),
            Ref(_v(r["org"]), _v(r["orgLabel"])) if r["org"] is not None else None,
        )
        for r in select(store, q.CONTEST_TOPICS_QUERY.replace("{contest}", node))
    ]
    entries = [
        EntrySummary(
            _v(r["entry"]),
            _v(r["label"]) or _v(r["entry"]),
            _v(r["track"]),
            _v(r["topic"]) or None,
            Ref(_v(r["team"]), _v(r["teamLabel"])) if r["team"] is not None else None,
        )
        for r in select(store, q.CONTEST_ENTRIES_QUERY.replace("{contest}", node))
    ]
    return ContestDetail(contest, tuple(topics), tuple(entries))


def entry(store: SparqlStore, iri: str) -> Entry | None:
    """One entry with everything it links to; None when the graph has no such entry."""
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for r in select(store, q.ENTRY_DETAILS_QUERY.replace("{entry}", iri_ref(iri))):
        key = _v(r["p"]).removeprefix(SKG_NS).split("#")[-1]
        values[key][_v(r["o"])] = _v(r["label"]) or values[key].get(_v(r["o"]), "")
    if not values:
        return None

    def refs(key: str) -> tuple[Ref, ...]:
        return tuple(Ref(i, label or i) for i, label in sorted(values.get(key, {}).items(), key=lambda x: x[1]))

    def one(key: str) -> Ref | None:
        found = refs(key)
        return found[0] if found else None

    label = next(iter(values.get("label", {})), iri)
    need = next(iter(values.get("needText", {})), "")
    return Entry(
        iri,
        label,
        need,
        one("inTrack"),
        one("answersTopic"),
        one("submittedBy"),
        refs("member"),
        refs("teamOrganization"),
        refs("matchedResource"),
        refs("mentor"),
        refs("output"),
    )


__all__ = [
    "Contest",
    "ContestDetail",
    "Entry",
    "EntrySummary",
    "Ref",
    "Topic",
    "contest_detail",
    "contests",
    "entry",
    "stated_needs",
]
