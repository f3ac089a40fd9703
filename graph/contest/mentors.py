"""Mentor suggestion for a contest entry or a team's need: the experts who fit, load balanced, without conflicts.

1. The matcher ranks experts for the need text (``depth`` of them, at most ``MAX_K``, type ``Expert``; no team
   re-ranking, so the team's own organisation gets no lift).
2. Each expert, in that order, is skipped with every reason that applies:
   - *member of the team*: the expert (or a record linked to them by ``owl:sameAs``) is a ``skg:member`` of it;
   - *same organisation*: an organisation of the expert (``skg:affiliation`` or ``org:memberOf``, of any record
     linked by ``owl:sameAs``) and one of the team (``skg:teamOrganization``) share a node of their
     ``org:subOrganizationOf`` chains: two departments of one university conflict; the reason names the most
     specific shared organisation;
   - *co-author*: the expert and a team member (or records linked to either by ``owl:sameAs``) authored the same
     output (``skg:authored``, or ``dcterms:creator`` from the output's side);
   - *already mentors this entry*;
   - *at cap*: the expert already mentors ``cap`` or more entries in the store (``<entry> skg:mentor <expert>``).
3. The first ``k`` experts not skipped are suggested, in the matcher's order, each with what ``/match`` shows of
   an expert: the fit and its band, the similarity it was read from (their works') and the works that justify it.
   Where none of the first experts reaches the floor by what the need says of them (as ``/match`` gates a type),
   the answer says that nothing fits the need well (``note``) and every suggestion's band is weak.
A ``team`` must be a ``skg:Team`` of the graph: an unknown one is refused, not read as a team without conflicts.

The load count is over every entry of the store's current graphs; pass ``cap`` per contest as its rules say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from graph.errors import InputError
from graph.search import MAX_K, NOTHING_FITS, Filters, Matcher, MatchResult
from graph.store import SparqlStore, iri_ref, select
from graph.store import sparql_queries as q

DEFAULT_CAP = 3
DEFAULT_DEPTH = 30


@dataclass(frozen=True, slots=True)
class MentorSuggestion:
    iri: str
    label: str
    score: float  # what the matcher orders experts by: the fit times its re-ranking factors (availability)
    fit: float  # the calibrated chance that the expert fits the need, as /match gives it (graph.search.fit)
    band: str  # strong | good | weak: the fit in words, as /match bands it
    similarity: float  # what the expert's fit was read from: their works' similarity (a profile's, without works)
    works: tuple[tuple[str, int, float], ...]  # the works that justify the match: title, year (0: unknown), similarity
    organization: str  # label of the expert's organisation, as the matcher shows it
    load: int  # entries the expert already mentors


@dataclass(frozen=True, slots=True)
class SkippedMentor:
    iri: str
    label: str
    score: float
    fit: float
    band: str
    reasons: tuple[str, ...]  # e.g. "same organisation as the team: University of St Andrews"


@dataclass(frozen=True, slots=True)
class MentorSuggestions:
    need: str
    team: str | None
    cap: int
    suggested: tuple[MentorSuggestion, ...]  # best first
    skipped: tuple[SkippedMentor, ...]  # the experts passed over on the way, in the matcher's order
    note: str = ""  # as /match notes a type: no expert fits the need well (those suggested are the closest, weak)


@dataclass(frozen=True, slots=True)
class _Orgs:
    chains: dict[str, list[list[str]]]  # person or team → for each of its organisations, the chain upwards
    labels: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Team:
    iri: str | None
    people: dict[str, str]  # IRI of each member and of records linked to one → the member's name
    nodes: set[str]  # the team's organisations and every one above them
    outputs: dict[str, dict[str, str]]  # per member (or linked record): output IRI → title


def entry_need(store: SparqlStore, entry: str) -> tuple[str | None, str]:
    """The team that submitted ``entry`` and the entry's need text ("" when the entry states none)."""
    rows = select(store, q.ENTRY_TEAM_AND_NEED_QUERY.replace("{entry}", iri_ref(entry)))
    team = next((r["team"].value for r in rows if r["team"] is not None), None)
    text = next((r["text"].value for r in rows if r["text"] is not None), "")
    return team, text


def suggest_mentors(
    store: SparqlStore,
    matcher: Matcher,
    need: str | None = None,
    *,
    entry: str | None = None,
    team: str | None = None,
    k: int = 3,
    cap: int = DEFAULT_CAP,
    depth: int = DEFAULT_DEPTH,
) -> MentorSuggestions:
    """Up to ``k`` mentors for ``need`` (default: the need ``entry`` states) and ``team`` (default: the team that
    submitted ``entry``), and every expert skipped on the way with why. See the module docstring for the rules."""
    if cap < 1:
        raise InputError(f"cap is {cap}; let each expert mentor at least 1 entry")
    if not 1 <= k <= depth <= MAX_K:
        raise InputError(f"k is {k} and depth {depth}; ask for 1 <= k <= depth <= {MAX_K}")
    if entry is not None:
        entry_team, entry_text = entry_need(store, entry)
        team = team or entry_team
        need = need or entry_text
    if not need:
        raise InputError("no need to match mentors to: give the need text, or an entry that states its need")
    if team is not None and not bool(store.query(q.TEAM_EXISTS_QUERY.replace("{team}", iri_ref(team)))):
        raise InputError(f"team: no team {team} in the graph, so its conflicts cannot be checked")
    # every expert in fit order: the caps and conflicts below choose, and a weak fit may be the best one left
    unfloored = matcher.variant(floor=0.0, diverse=False)
    ranked = unfloored.match(need, Filters(types=("Expert",)), k=depth).results.get("Expert", [])
    facts = _team(store, team)
    people_of = _people(store, matcher, ranked)
    everyone = [p for people in people_of.values() for p in people]
    mentored = _mentored(store, everyone)
    orgs = _orgs(store, everyone)
    outputs = _outputs(store, everyone)
    # as /match gates a type (Weights.opens): does one of the first fit by what the need says of them (no floor: caps
    # and conflicts choose among every expert, so where none fits they are the closest, marked weak as /match does)
    note = "" if matcher.weights.opens([r.floor_evidence for r in ranked]) else NOTHING_FITS
    suggested: list[MentorSuggestion] = []
    skipped: list[SkippedMentor] = []
    for r in ranked:
        if len(suggested) == k:
            break
        people = people_of[r.iri]
        entries = {e for p in people for e in mentored.get(p, ())}
        reasons = _conflicts(people, facts, orgs, outputs)
        if entry is not None and entry in entries:
            reasons.append("already mentors this entry")
        load = len(entries - {entry} if entry is not None else entries)
        if load >= cap:
            reasons.append(f"at cap: {load} entries already (cap {cap})")
        band = "weak" if note else r.band
        if reasons:
            skipped.append(SkippedMentor(r.iri, r.label, r.score, r.fit, band, tuple(reasons)))
        else:
            suggested.append(_suggestion(r, load, band))
    return MentorSuggestions(need, team, cap, tuple(suggested), tuple(skipped), note)


def _suggestion(r: MatchResult, load: int, band: str) -> MentorSuggestion:
    similarity = r.explanation.own_similarity  # an expert with works is read by them (evidence.works_of)
    works = tuple(r.explanation.works)
    return MentorSuggestion(r.iri, r.label, r.score, r.fit, band, similarity, works, r.organization, load)


def _conflicts(people: set[str], team: _Team, orgs: _Orgs, outputs: dict[str, dict[str, str]]) -> list[str]:
    reasons = []
    in_team = sorted(people & set(team.people))
    if in_team:
        reasons.append(f"member of the team: {team.people[in_team[0]]}")
    shared = _shared_org(people, team, orgs)
    if shared:
        reasons.append(f"same organisation as the team: {shared}")
    coauthored = sorted(
        (team.people[member], title or output)
        for member, written in team.outputs.items()
        if member not in people
        for p in people
        for output, title in outputs.get(p, {}).items()
        if output in written
    )
    if coauthored:  # one shared output is reason enough
        member, title = coauthored[0]
        reasons.append(f"co-author with team member {member} on '{title}'")
    return reasons


def _shared_org(people: set[str], team: _Team, orgs: _Orgs) -> str:
    """The label of the most specific organisation on both an expert's chain and the team's, or ""."""
    best: tuple[int, str] | None = None
    for person in sorted(people):
        for chain in orgs.chains.get(person, []):
            depth, node = next(((d, n) for d, n in enumerate(chain) if n in team.nodes), (len(chain), ""))
            if node and (best is None or (depth, node) < best):
                best = (depth, node)
    return orgs.labels.get(best[1], best[1]) if best else ""


def _people(store: SparqlStore, matcher: Matcher, ranked: Sequence[MatchResult]) -> dict[str, set[str]]:
    """Per ranked expert: the records the index joined into it and every record linked to them by owl:sameAs."""
    members: dict[str, list[str]] = {}
    for r in ranked:
        position = matcher.position.get(r.iri)
        members[r.iri] = list(matcher.index.docs[position].members or [r.iri]) if position is not None else [r.iri]
    linked = _same_as(store, [m for ms in members.values() for m in ms])
    return {iri: {p for m in ms for p in linked.get(m, [m])} for iri, ms in members.items()}


def _team(store: SparqlStore, team: str | None) -> _Team:
    if team is None:
        return _Team(None, {}, set(), {})
    names = {
        r["member"].value: r["name"].value if r["name"] is not None else r["member"].value
        for r in select(store, q.TEAM_MEMBERS_QUERY.replace("{team}", iri_ref(team)))
    }
    linked = _same_as(store, list(names))
    people = {p: name for m, name in names.items() for p in linked.get(m, [m])}
    outputs = _outputs(store, list(people))
    nodes = {n for chain in _orgs(store, [team]).chains.get(team, []) for n in chain}
    return _Team(team, people, nodes, outputs)


def _same_as(store: SparqlStore, iris: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in _select_values(store, q.SAME_AS_CLOSURE_QUERY, iris):
        found[row["x"].value].update((row["x"].value, row["y"].value))
    return {x: sorted(ys) for x, ys in found.items()}


def _orgs(store: SparqlStore, iris: Sequence[str]) -> _Orgs:
    direct: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for row in _select_values(store, q.ORGANISATIONS_ABOVE_QUERY, iris):
        direct[row["who"].value].add(row["org"].value)
        if row["parent"] is not None:
            parents[row["up"].value].add(row["parent"].value)
        if row["label"] is not None:
            labels.setdefault(row["up"].value, row["label"].value)
    chains = {who: [_chain(org, parents) for org in sorted(orgs)] for who, orgs in direct.items()}
    return _Orgs(chains, labels)


def _chain(org: str, parents: dict[str, set[str]]) -> list[str]:
    """The organisation and those above it, nearest first (breadth first where one has several parents)."""
    chain, queue = [org], [org]
    while queue:
        for parent in sorted(parents.get(queue.pop(0), ())):
            if parent not in chain:
                chain.append(parent)
                queue.append(parent)
    return chain


def _outputs(store: SparqlStore, iris: Sequence[str]) -> dict[str, dict[str, str]]:
    """Per person: the outputs they authored → title."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _select_values(store, q.AUTHORED_OUTPUTS_QUERY, iris):
        found[row["who"].value][row["output"].value] = row["title"].value if row["title"] is not None else ""
    return found


def _mentored(store: SparqlStore, iris: Sequence[str]) -> dict[str, set[str]]:
    """Per person: the entries they mentor."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in _select_values(store, q.MENTORED_QUERY, iris):
        found[row["who"].value].add(row["entry"].value)
    return found


def _select_values(store: SparqlStore, query: str, iris: Iterable[str]) -> list[ox.QuerySolution]:
    """``query`` with ``{iris}`` replaced by the IRIs as a VALUES list (nothing asked when there are none)."""
    unique = sorted(set(iris))
    return select(store, query.replace("{iris}", " ".join(iri_ref(i) for i in unique))) if unique else []


__all__ = [
    "DEFAULT_CAP",
    "DEFAULT_DEPTH",
    "MentorSuggestion",
    "MentorSuggestions",
    "SkippedMentor",
    "entry_need",
    "suggest_mentors",
]
