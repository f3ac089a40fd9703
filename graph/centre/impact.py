"""Impact tracing: what a resource helped produce, and the resource use behind a contest entry.

An output counts for a resource by any of four paths, each kept as evidence:
- ``made with``: the output states it (``<output> skg:madeWith <resource>``);
- ``used for the entry``: a usage record of the resource names the entry (``skg:forEntry``), and the entry
  has the output (``<entry> skg:output <output>``);
- ``team used the resource``: a usage record of the resource names as its user the team that submitted the
  entry, or a member of that team;
- ``matched to the entry``: the entry lists the resource among its matched resources (``skg:matchedResource``).
Dates are not compared: a team's use of a resource counts for all its entries' outputs. Output types are the
subclasses of ``skg:Output`` (Paper, Software, Patent, Award, StartUp, DataOutput), else ``Output``.

For judges, ``entry_evidence`` lists the usage records behind an entry: those naming the entry, and those of its
team (or its members) on the resources the entry was matched to, with hours, per resource.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from graph.search import PathStep
from graph.store import SparqlStore, iri_ref, select
from graph.store import sparql_queries as q
from ontology.terms import SKG_NS

OUTPUT_TYPES = ("Paper", "Software", "Patent", "Award", "StartUp", "DataOutput")


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str  # "made with" | "used for the entry" | "team used the resource" | "matched to the entry"
    path: tuple[PathStep, ...]  # from the resource to the output


@dataclass(frozen=True, slots=True)
class ImpactOutput:
    iri: str
    label: str
    type: str  # Paper | Software | Patent | Award | StartUp | DataOutput | Output
    year: int | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class ResourceImpact:
    resource: str
    label: str
    outputs: tuple[ImpactOutput, ...]  # by type (in OUTPUT_TYPES order), then newest, then label
    per_type: tuple[tuple[str, int], ...]  # outputs per type, types without any left out


@dataclass(frozen=True, slots=True)
class UsageEvidence:
    iri: str
    user: str
    user_label: str
    start: str  # as recorded (xsd:dateTime), "" when absent
    end: str
    hours_booked: float | None
    hours_used: float | None
    status: str
    for_entry: bool  # the record names the entry (else: the team's use of a matched resource)


@dataclass(frozen=True, slots=True)
class ResourceUse:
    iri: str
    label: str
    type: str
    matched: bool  # the entry lists it among its matched resources
    hours_booked: float
    hours_used: float
    records: tuple[UsageEvidence, ...]  # by start time


@dataclass(frozen=True, slots=True)
class EntryEvidence:
    entry: str
    label: str
    team: str | None
    team_label: str
    resources: tuple[ResourceUse, ...]  # matched resources first (used or not), then others used for the entry


@dataclass(frozen=True, slots=True)
class _Node:
    label: str
    type: str
    year: int | None


def resource_impact(store: SparqlStore, resource: str) -> ResourceImpact:
    """The outputs ``resource`` helped produce, each with every evidence path that links them."""
    rows = select(store, q.IMPACT_QUERY.replace("{resource}", iri_ref(resource)))
    found: dict[str, list[tuple[str, str | None, str | None, str | None]]] = defaultdict(list)
    for r in rows:
        hit = (r["kind"].value, _value(r["entry"]), _value(r["usage"]), _value(r["user"]))
        if hit not in found[r["output"].value]:
            found[r["output"].value].append(hit)
    nodes = _details(store, {resource, *found, *(x for hits in found.values() for h in hits for x in h[1:] if x)})
    step = _Stepper(nodes)
    outputs = []
    for output, hits in found.items():
        ordered = sorted(hits, key=lambda h: tuple(x or "" for x in h))
        evidence = tuple(Evidence(h[0], _path(step, resource, output, *h)) for h in ordered)
        node = nodes[output]
        outputs.append(ImpactOutput(output, node.label, _output_type(node.type), node.year, evidence))
    order = {t: i for i, t in enumerate((*OUTPUT_TYPES, "Output"))}
    outputs.sort(key=lambda o: (order[o.type], -(o.year or 0), o.label, o.iri))
    per_type = Counter(o.type for o in outputs)
    return ResourceImpact(
        resource, nodes[resource].label, tuple(outputs), tuple((t, per_type[t]) for t in order if per_type[t])
    )


def entry_evidence(store: SparqlStore, entry: str) -> EntryEvidence:
    """The resource use recorded for ``entry``, per resource, as evidence for judges (see the module docstring)."""
    rows = select(store, q.ENTRY_TEAM_AND_MATCHES_QUERY.replace("{entry}", iri_ref(entry)))
    team = next((r["team"].value for r in rows if r["team"] is not None), None)
    people = {r["member"].value for r in rows if r["member"] is not None} | ({team} if team else set())
    matched = sorted({r["matched"].value for r in rows if r["matched"] is not None})
    values = " ".join(iri_ref(p) for p in sorted(people)) or "<urn:sharekg:none>"  # VALUES must not be empty
    records_of_entry = q.ENTRY_USAGE_RECORDS.replace("{entry}", iri_ref(entry)).replace("{people}", values)
    usage = select(store, q.USAGE_RECORDS_QUERY.replace("{records}", records_of_entry))
    records: dict[str, dict[str, UsageEvidence]] = defaultdict(dict)
    for r in usage:
        resource, for_entry = r["resource"].value, _value(r["forEntry"]) == entry
        if not for_entry and resource not in matched:
            continue  # the team's use of something the entry does not name
        records[resource].setdefault(
            r["usage"].value,
            UsageEvidence(
                r["usage"].value,
                _value(r["user"]) or "",
                "",
                _value(r["start"]) or "",
                _value(r["end"]) or "",
                _number(r["booked"]),
                _number(r["used"]),
                _value(r["status"]) or "",
                for_entry,
            ),
        )
    users = {e.user for rs in records.values() for e in rs.values() if e.user}
    nodes = _details(store, {entry, *matched, *records, *users, *([team] if team else [])})
    resources = []
    for iri in [*matched, *sorted(set(records) - set(matched))]:
        found = sorted(records.get(iri, {}).values(), key=lambda e: (e.start, e.iri))
        found = [_with_user_label(e, nodes) for e in found]
        resources.append(
            ResourceUse(
                iri,
                nodes[iri].label,
                nodes[iri].type,
                iri in matched,
                round(sum(e.hours_booked or 0.0 for e in found), 2),
                round(sum(e.hours_used or 0.0 for e in found), 2),
                tuple(found),
            )
        )
    team_label = nodes[team].label if team else ""
    return EntryEvidence(entry, nodes[entry].label, team, team_label, tuple(resources))


def _path(
    step: _Stepper, resource: str, output: str, kind: str, entry: str | None, usage: str | None, user: str | None
) -> tuple[PathStep, ...]:
    start = step("", resource)
    if kind == "made with":
        return (start, step("made with", output))
    assert entry is not None
    if kind == "matched to the entry":
        return (start, step("matched to entry", entry), step("output", output))
    assert usage is not None
    if kind == "used for the entry":
        return (start, step("used in", usage), step("for entry", entry), step("output", output))
    assert user is not None
    return (start, step("used in", usage), step("by", user), step("of entry", entry), step("output", output))


class _Stepper:
    def __init__(self, nodes: dict[str, _Node]) -> None:
        self.nodes = nodes

    def __call__(self, relation: str, iri: str) -> PathStep:
        node = self.nodes.get(iri, _Node("", "", None))
        return PathStep(relation, iri, node.label or iri.rsplit("/", 1)[-1], node.type)


def _details(store: SparqlStore, iris: set[str]) -> dict[str, _Node]:
    """Label, most specific skg: type and year of each node ("" and None where absent)."""
    labels: dict[str, str] = {}
    types: dict[str, set[str]] = defaultdict(set)
    years: dict[str, int] = {}
    chunk = sorted(iris)
    for start in range(0, len(chunk), 500):
        part = chunk[start : start + 500]
        for r in select(store, q.NODE_DETAILS_QUERY.replace("{nodes}", " ".join(iri_ref(i) for i in part))):
            node = r["node"].value
            if r["label"] is not None:
                labels.setdefault(node, r["label"].value)
            if r["type"] is not None:
                types[node].add(r["type"].value.removeprefix(SKG_NS))
            if r["year"] is not None and r["year"].value.isdigit():
                years[node] = int(r["year"].value)
    return {i: _Node(labels.get(i, ""), _specific(types[i]), years.get(i)) for i in iris}


def _specific(types: set[str]) -> str:
    """The output subclass where there is one, else the one skg: type (sorted first if several)."""
    for t in OUTPUT_TYPES:
        if t in types:
            return t
    return sorted(types)[0] if types else ""


def _output_type(type_name: str) -> str:
    return type_name if type_name in OUTPUT_TYPES else "Output"


def _with_user_label(e: UsageEvidence, nodes: dict[str, _Node]) -> UsageEvidence:
    label = nodes[e.user].label if e.user in nodes else ""
    return UsageEvidence(e.iri, e.user, label, e.start, e.end, e.hours_booked, e.hours_used, e.status, e.for_entry)


def _value(term: object) -> str | None:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else None


def _number(term: object) -> float | None:
    try:
        return float(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


__all__ = [
    "OUTPUT_TYPES",
    "EntryEvidence",
    "Evidence",
    "ImpactOutput",
    "ResourceImpact",
    "ResourceUse",
    "UsageEvidence",
    "entry_evidence",
    "resource_impact",
]
