"""Bundles: an instrument that fits a need with what the graph joins to it -- the facility it sits in, the expert who
runs it or knows the technique, and a dataset that fits -- ranked jointly.

A bundle goes through the matcher's own request planning (one need, one encoding, the same filters and fits), so its
members are results ``/match`` would give. Members that match the need (the instrument, an expert found by matching, a
dataset) are taken only where ``/match`` presents them as matches (at or above the floor): no dataset rather than a
wrong one. The facility an instrument sits in and the contact person who runs it are joined by the graph, and come
with the instrument whatever their own fit. An instrument may be any the catalogue holds: a bench instrument or a
beamline of a light source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graph.search.explain import PathStep
from graph.search.filters import Filters, TeamPlace
from graph.search.matcher import Matcher, MatchResult, Need, Request

#: How much each member the graph joins (rather than similarity alone) adds to a bundle's score.
JOINED_BONUS = 0.05
#: Results ranked per type to build bundles from.
DATASETS = 5
EXPERTS = 20


@dataclass(slots=True)
class BundleMember:
    role: str  # instrument | facility | expert | dataset
    iri: str
    label: str
    similarity: float  # its similarity to the need by its own text (an expert's: their works'), Matcher.similarity
    relation: str  # how it joins the bundle: "contact person", "at facility", "same organisation", "shared subject: …"
    fit: float = 0.0  # the member's fit to the need (0 for a member the graph joins without matching)
    band: str = ""  # strong | good | weak, as /match bands its fit; "" for a member the graph joins without matching


@dataclass(slots=True)
class Bundle:
    """An instrument with the facility it sits in, the expert who runs it or knows it, and a dataset that fits.

    ``fit`` is the mean fit of the members that match the need (what a person reads); ``score``, what bundles are
    ordered by, adds ``JOINED_BONUS`` for each member the graph joins to the instrument rather than similarity alone."""

    score: float
    members: list[BundleMember]
    path: list[PathStep]
    fit: float = 0.0


def bundles(
    matcher: Matcher, text: object, filters: Filters | None = None, k: int = 3, team: TeamPlace | None = None
) -> list[Bundle]:
    """The ``k`` best bundles: each instrument that fits, with the members the graph connects to it, ranked by the
    members' mean fit and by how many of them the graph joins."""
    scope = (filters or Filters()).without_types()
    types = tuple(t for t in ("Instrument", "Dataset", "Expert") if t in matcher.index.parts)
    wanted = Filters(types, scope.organization, scope.country, scope.region, scope.city, scope.access)
    request = matcher.plan(text, wanted, max(EXPERTS, 3 * k), team)
    need = matcher.need_of(request)
    if "Instrument" not in types:
        return []
    instruments = _presented(matcher, request, need, "Instrument", max(10, 3 * k))
    datasets = _presented(matcher, request, need, "Dataset", DATASETS) if "Dataset" in types else []
    experts = _presented(matcher, request, need, "Expert", EXPERTS) if "Expert" in types else []
    found = [_bundle(matcher, need, r, datasets, experts) for r in instruments]
    found.sort(key=lambda b: -b.score)
    return found[:k]


def _presented(matcher: Matcher, request: Request, need: Need, type_name: str, k: int) -> list[MatchResult]:
    """The type's results that ``/match`` presents as matches: none when nothing of it fits the need well (its
    closest, shown there marked weak, are not members)."""
    results, nothing_fits = matcher.rank_planned(request, need, type_name, k)
    return [] if nothing_fits else results


def _bundle(
    matcher: Matcher, need: Need, instrument: MatchResult, datasets: list[MatchResult], experts: list[MatchResult]
) -> Bundle:
    index = matcher.index
    doc = index.doc(instrument.iri)
    assert doc is not None, "a ranked instrument is in the index"
    members = [_member("instrument", matcher, need, instrument, "fits the need")]
    for facility in doc.related.get("facility", [])[:1]:
        members.append(
            BundleMember(
                "facility", facility, index.label_of(facility), matcher.similarity(need, facility), "at facility"
            )
        )
    expert = _expert_for(matcher, need, doc.related.get("contact", []), doc.organizations, experts)
    if expert is not None:
        members.append(expert)
    if datasets:
        best = datasets[0]
        shared = _shared_subject(matcher, instrument.iri, best.iri)
        members.append(
            _member("dataset", matcher, need, best, f"shared subject: {shared}" if shared else "fits the need")
        )
    fit = float(np.mean([m.fit for m in members if m.band]))  # the instrument matched, so never empty
    joined = sum(m.relation != "fits the need" for m in members[1:])
    return Bundle(round(fit + JOINED_BONUS * joined, 4), members, instrument.explanation.path, round(fit, 4))


def _member(role: str, matcher: Matcher, need: Need, result: MatchResult, relation: str) -> BundleMember:
    similarity = matcher.similarity(need, result.iri)
    return BundleMember(role, result.iri, result.label, similarity, relation, result.fit, result.band)


def _expert_for(
    matcher: Matcher, need: Need, contacts: list[str], organizations: list[str], experts: list[MatchResult]
) -> BundleMember | None:
    """The instrument's contact person (who runs it; of several, the one whose works are closest to the need), else a
    fitting expert of its organisation, else the best fitting expert."""
    index = matcher.index
    known = [c for c in contacts if index.doc(c) is not None]
    if known:
        similarity = {c: matcher.similarity(need, c) for c in known}
        best = max(known, key=similarity.__getitem__)
        doc = index.doc(best)
        assert doc is not None
        return BundleMember("expert", doc.iri, doc.label, similarity[best], "contact person")
    for r in experts:
        doc = index.doc(r.iri)
        if doc is not None and set(doc.organizations) & set(organizations):
            return _member("expert", matcher, need, r, "same organisation")
    return _member("expert", matcher, need, experts[0], "fits the need") if experts else None


def _shared_subject(matcher: Matcher, a: str, b: str) -> str:
    index = matcher.index
    row_a, row_b = index.position[a], index.position[b]
    tagged = {s.iri: j for j, s in enumerate(index.subjects) if s.iri in set(index.docs[row_a].subjects)}
    subjects_a = {s for s, _ in index.inferred[row_a]} | set(tagged.values())
    for s, _ in index.inferred[row_b]:
        if s in subjects_a:
            return index.subjects[s].label
    return ""


__all__ = ["Bundle", "BundleMember", "bundles"]
