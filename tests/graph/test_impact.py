"""Impact tracing over a small contest graph: each output a beamline helped produce with its evidence paths, and
the resource use recorded for an entry."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.centre.impact import entry_evidence, resource_impact
from graph.errors import InputError
from graph.store import BASE, Store, Triple, open_store
from ontology.terms import FOAF_, PROV_, RDF_, RDFS_, SKG, XSD_

XANES = f"{BASE}instrument/xas-beamlines/ALS%2F11.0.2"
NMR = f"{BASE}instrument/nsf-mri/1726812"
APS = f"{BASE}facility/xas-beamlines/APS"
C = f"{BASE}entry/sharing-cup/"


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def graph() -> list[Triple]:
    t: list[Triple] = []

    def add(s: str, p: ox.NamedNode, o: str | ox.NamedNode | ox.Literal) -> None:
        t.append((n(s), p, n(o) if isinstance(o, str) else o))

    def node(iri: str, kind: ox.NamedNode, label: str) -> str:
        add(iri, RDF_.type, kind)
        add(iri, RDFS_.label, ox.Literal(label))
        return iri

    def usage(local: str, resource: str, user: str, start: str, used: float | None = None, **more: str) -> None:
        u = node(f"{BASE}usage/bookings/{local}", SKG.UsageRecord, f"booking {local}")
        add(u, SKG.usedResource, resource)
        add(u, SKG.user, user)
        add(u, PROV_.startedAtTime, ox.Literal(start, datatype=XSD_.dateTime))
        add(u, SKG.hoursBooked, ox.Literal("4", datatype=XSD_.decimal))
        if used is not None:
            add(u, SKG.hoursUsed, ox.Literal(str(used), datatype=XSD_.decimal))
        for name, value in more.items():
            add(u, SKG[name], value if name == "forEntry" else ox.Literal(value))

    node(XANES, SKG.Instrument, "ALS 11.0.2")
    node(NMR, SKG.Instrument, "Acquisition of a 600 MHz NMR spectrometer")
    node(APS, SKG.Facility, "Advanced Photon Source")
    paper = node(f"{BASE}output/openalex/W1", SKG.Output, "Iron speciation in paddy soils by micro-XANES")
    add(paper, RDF_.type, SKG.Paper)
    add(paper, SKG.publicationYear, ox.Literal("2025", datatype=XSD_.integer))
    add(paper, SKG.madeWith, XANES)
    teams = {}
    for key, label, member in (("t1", "Team Soil", "Ana"), ("t2", "Team Battery", "Ben"), ("t3", "Team Glass", "Cy")):
        team = node(f"{BASE}team/sharing-cup/{key}", SKG.Team, label)
        add(team, SKG.member, node(f"{BASE}person/sharing-cup/{member.lower()}", FOAF_.Person, member))
        teams[key] = team
    entries = {}
    for key, label, out_type, out_label in (
        ("e1", "Soil iron sensor", SKG.Software, "soilfe: XANES fitting toolkit"),
        ("e2", "Sodium battery cathodes", SKG.Patent, "Layered sodium cathode"),
        ("e3", "Self-healing glass", SKG.StartUp, "Vitrum Labs"),
    ):
        entry = node(C + key, SKG.Entry, label)
        add(entry, SKG.submittedBy, teams[key.replace("e", "t")])
        output = node(f"{BASE}output/sharing-cup/{key}-out", SKG.Output, out_label)
        add(output, RDF_.type, out_type)
        add(entry, SKG.output, output)
        entries[key] = entry
    add(entries["e1"], SKG.matchedResource, XANES)
    add(entries["e1"], SKG.matchedResource, NMR)
    add(entries["e2"], SKG.matchedResource, XANES)
    usage("u1", XANES, teams["t1"], "2026-02-03T09:00:00Z", 3.5)  # the team's use of a matched resource
    usage("u2", NMR, f"{BASE}person/sharing-cup/ana", "2026-02-10T09:00:00Z", usageStatus="no-show")  # a member's
    usage("u3", APS, teams["t1"], "2026-02-11T09:00:00Z", 4)  # not matched, not for the entry: not evidence
    usage("u4", APS, teams["t1"], "2026-03-01T09:00:00Z", 2, forEntry=entries["e1"])  # names the entry
    usage("u5", XANES, f"{BASE}person/sharing-cup/cy", "2026-01-05T09:00:00Z", 4, forEntry=entries["e3"])
    return t


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store(None)
    store.replace_source("sharing-cup", "r1", graph(), "c1")
    return store


def test_each_output_comes_with_its_evidence_paths(store: Store) -> None:
    impact = resource_impact(store, XANES)
    assert impact.label == "ALS 11.0.2"
    assert [(o.type, o.label) for o in impact.outputs] == [
        ("Paper", "Iron speciation in paddy soils by micro-XANES"),
        ("Software", "soilfe: XANES fitting toolkit"),
        ("Patent", "Layered sodium cathode"),
        ("StartUp", "Vitrum Labs"),
    ]
    assert impact.per_type == (("Paper", 1), ("Software", 1), ("Patent", 1), ("StartUp", 1))
    paper, software, patent, startup = impact.outputs
    assert paper.year == 2025 and [e.kind for e in paper.evidence] == ["made with"]
    assert [(s.relation, s.label) for s in paper.evidence[0].path] == [
        ("", "ALS 11.0.2"),
        ("made with", "Iron speciation in paddy soils by micro-XANES"),
    ]
    assert sorted(e.kind for e in software.evidence) == ["matched to the entry", "team used the resource"]
    used = next(e for e in software.evidence if e.kind == "team used the resource")
    assert [(s.relation, s.label, s.type) for s in used.path] == [
        ("", "ALS 11.0.2", "Instrument"),
        ("used in", "booking u1", "UsageRecord"),
        ("by", "Team Soil", "Team"),
        ("of entry", "Soil iron sensor", "Entry"),
        ("output", "soilfe: XANES fitting toolkit", "Software"),
    ]
    assert [e.kind for e in patent.evidence] == ["matched to the entry"]
    assert sorted(e.kind for e in startup.evidence) == ["team used the resource", "used for the entry"]


def test_a_resource_nothing_came_of(store: Store) -> None:
    impact = resource_impact(store, f"{BASE}instrument/uniquip-st-andrews/st-andrews-0002")
    assert (impact.outputs, impact.per_type, impact.label) == ((), (), "")


def test_entry_evidence_lists_the_use_behind_an_entry(store: Store) -> None:
    evidence = entry_evidence(store, C + "e1")
    assert (evidence.label, evidence.team_label) == ("Soil iron sensor", "Team Soil")
    assert [(r.iri, r.matched) for r in evidence.resources] == [(NMR, True), (XANES, True), (APS, False)]
    nmr, xanes, aps = evidence.resources
    assert (nmr.hours_booked, nmr.hours_used, nmr.records[0].status, nmr.records[0].user_label) == (
        4.0,
        0.0,
        "no-show",
        "Ana",
    )
    assert (xanes.hours_used, xanes.records[0].start, xanes.records[0].for_entry) == (
        3.5,
        "2026-02-03T09:00:00Z",
        False,
    )
    assert [r.iri.rsplit("/", 1)[-1] for r in aps.records] == ["u4"] and aps.records[0].for_entry
    matched_only = entry_evidence(store, C + "e2")
    assert [(r.iri, r.records) for r in matched_only.resources] == [(XANES, ())]  # matched, no use recorded


def test_bad_iris_are_refused(store: Store) -> None:
    with pytest.raises(InputError, match="not an IRI"):
        resource_impact(store, "x> } DROP ALL {")
