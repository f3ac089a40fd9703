"""Utilisation against capacity and demand, and the under-used ranking, on a small graph of real beamlines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import pytest

from graph.centre.demand import DemandLog, TopResult
from graph.centre.utilisation import underused, utilisation
from graph.errors import InputError
from graph.search.fit import fit_of_evidence
from graph.store import BASE, Store, Triple, open_store
from ontology.terms import ORG_, PROV_, RDF_, RDFS_, SKG, XSD_

ID = BASE
ALS = f"{ID}facility/xas-beamlines/ALS"
APS = f"{ID}facility/xas-beamlines/APS"
XANES = f"{ID}instrument/xas-beamlines/ALS%2F11.0.2"  # micro-XANES
SURFACE = f"{ID}instrument/xas-beamlines/ALS%2F7.0.1"  # surface science, XANES and PES microscopy
XAFS = f"{ID}instrument/xas-beamlines/APS%2F11-ID-D"  # general purpose XAFS
LBNL = f"{ID}org/lawrence-berkeley-national-laboratory"
ANL = f"{ID}org/argonne-national-laboratory"
DOE = f"{ID}org/us-department-of-energy"
TEAM = f"{ID}team/sharing-cup/perovskite"
UNTIL = datetime(2026, 7, 1, tzinfo=UTC)


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def text(value: str) -> ox.Literal:
    return ox.Literal(value)


def hours(value: float) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_.decimal)


def moment(value: datetime) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=XSD_.dateTime)


def catalogue() -> list[Triple]:
    t: list[Triple] = []
    for iri, label, org in ((ALS, "Advanced Light Source", LBNL), (APS, "Advanced Photon Source", ANL)):
        t += [(n(iri), RDF_.type, SKG.Facility), (n(iri), RDFS_.label, text(label)), (n(iri), SKG.hostedBy, n(org))]
    for iri, label, facility in ((XANES, "ALS 11.0.2", ALS), (SURFACE, "ALS 7.0.1", ALS), (XAFS, "APS 11-ID-D", APS)):
        t += [(n(iri), RDF_.type, SKG.Instrument), (n(iri), RDFS_.label, text(label))]
        t.append((n(iri), SKG.atFacility, n(facility)))
    for org, label in ((LBNL, "Lawrence Berkeley National Laboratory"), (ANL, "Argonne National Laboratory")):
        t += [(n(org), RDF_.type, SKG.Organization), (n(org), RDFS_.label, text(label))]
        t.append((n(org), ORG_.subOrganizationOf, n(DOE)))
    t.append((n(XANES), SKG.capacityHoursPerYear, hours(1500)))
    t.append((n(APS), SKG.capacityHoursPerYear, hours(0)))  # not offered for booking
    return t


def usage(
    local: str,
    resource: str,
    start: datetime,
    end: datetime | None,
    *,
    booked: float | None = None,
    used: float | None = None,
    status: str | None = None,
    user: str = TEAM,
) -> Iterator[Triple]:
    u = n(f"{ID}usage/bookings/{local}")
    yield from [(u, RDF_.type, SKG.UsageRecord), (u, SKG.usedResource, n(resource)), (u, SKG.user, n(user))]
    yield (u, PROV_.startedAtTime, moment(start))
    if end is not None:
        yield (u, PROV_.endedAtTime, moment(end))
    if booked is not None:
        yield (u, SKG.hoursBooked, hours(booked))
    if used is not None:
        yield (u, SKG.hoursUsed, hours(used))
    if status is not None:
        yield (u, SKG.usageStatus, text(status))


def store_with(*records: Iterator[Triple]) -> Store:
    store = open_store(None)
    store.replace_source("xas-beamlines", "r1", catalogue(), "c1")
    store.replace_source("bookings", "r1", [t for r in records for t in r], "c2")
    return store


def day(days_before_until: float) -> datetime:
    return UNTIL - timedelta(days=days_before_until)


def test_no_usage_at_all_gives_zero_use_against_capacity(log: DemandLog) -> None:
    report = utilisation(store_with(), log, until=UNTIL)
    assets = {a.iri: a for a in report.assets}
    assert [a.type for a in report.assets] == ["Facility", "Facility", "Instrument", "Instrument", "Instrument"]
    assert report.since == UNTIL - timedelta(days=365)
    xanes = assets[XANES]
    assert (xanes.capacity_per_year, xanes.capacity_from, xanes.capacity_hours) == (1500.0, "resource", 1500.0)
    assert (xanes.hours_used, xanes.records, xanes.utilisation, xanes.demand_needs) == (0.0, 0, 0.0, 0)
    assert (assets[SURFACE].capacity_per_year, assets[SURFACE].capacity_from) == (1600.0, "type default")
    assert assets[ALS].capacity_per_year == 2000.0 and assets[ALS].organization_label.startswith("Lawrence")
    assert assets[XANES].organization == LBNL  # through its facility
    assert underused(report, log) == []  # no demand: nothing to rank


def test_hours_against_capacity_in_the_window(log: DemandLog) -> None:
    store = store_with(
        usage("1", XANES, day(100), day(100) + timedelta(hours=8), booked=8, used=6),
        usage("2", XANES, day(50), day(50) + timedelta(hours=4), booked=4),  # completed by default: used as booked
        usage("3", XANES, day(40), day(40) + timedelta(hours=4), booked=4, status="no-show"),
        usage("4", XANES, day(30), day(30) + timedelta(hours=5), booked=5, status="cancelled"),
        usage("5", XANES, day(400), day(400) + timedelta(hours=9), booked=9, used=9),  # before the window
        usage("6", XANES, day(365) - timedelta(hours=2), day(365) + timedelta(hours=2), booked=4, used=4),  # half in
    )
    xanes = next(a for a in utilisation(store, log, until=UNTIL).assets if a.iri == XANES)
    assert xanes.records == 5
    assert xanes.hours_booked == pytest.approx(8 + 4 + 4 + 2)  # cancelled left out, the edge record halved
    assert xanes.hours_used == pytest.approx(6 + 4 + 0 + 0 + 2)
    assert xanes.utilisation == pytest.approx(12 / 1500, abs=1e-4)
    assert xanes.users == (TEAM,)


def test_a_shorter_window_scales_capacity(log: DemandLog) -> None:
    store = store_with(usage("1", SURFACE, day(10), None, used=40))
    report = utilisation(store, log, since=day(73), until=UNTIL)
    surface = next(a for a in report.assets if a.iri == SURFACE)
    assert surface.capacity_hours == pytest.approx(1600 * 73 / 365)
    assert surface.utilisation == pytest.approx(40 / (1600 * 73 / 365), abs=1e-4)


def test_zero_capacity_has_no_utilisation_and_is_not_ranked(log: DemandLog) -> None:
    log.record("XAFS of catalysts", {}, [TopResult(APS, 0.03, "Facility", 1, 0.55)], asked_at=day(3))
    report = utilisation(store_with(usage("1", APS, day(5), None, used=10)), log, until=UNTIL)
    aps = next(a for a in report.assets if a.iri == APS)
    assert (aps.capacity_hours, aps.utilisation, aps.hours_used, aps.demand_needs) == (0.0, None, 10.0, 1)
    assert [u.asset.iri for u in underused(report, log)] == []


def test_resource_with_demand_but_no_usage_ranks_first(log: DemandLog) -> None:
    log.record(
        "micro-XANES of iron in soils",
        {},
        [TopResult(XANES, 0.03, "Instrument", 1, 0.62), TopResult(SURFACE, 0.02, "Instrument", 2, 0.48)],
        team="Team Soil",
        organization="University of Leeds",
        asked_at=day(20),
    )
    log.record(
        "XANES microscopy of battery electrodes",
        {},
        [TopResult(SURFACE, 0.03, "Instrument", 1, 0.58), TopResult(XANES, 0.02, "Instrument", 2, 0.57)],
        asked_at=day(10),
    )
    log.record("ages ago", {}, [TopResult(XANES, 0.03, "Instrument", 1, 0.9)], asked_at=day(500))
    log.record(
        "a confocal microscope", {}, [TopResult(XANES, 0.01, "Instrument", 3, 0.30)], asked_at=day(5)
    )  # weak fit
    store = store_with(usage("1", SURFACE, day(60), None, used=800))  # half its 1600 h
    ranked = underused(utilisation(store, log, until=UNTIL), log)
    assert [u.asset.iri for u in ranked] == [XANES, SURFACE]
    xanes, surface = ranked
    strength = float(fit_of_evidence(0.62) + fit_of_evidence(0.57))  # logged without fits: read from the cosines
    assert xanes.asset.hours_used == 0.0 and xanes.strength == pytest.approx(strength)  # the weak fit left out
    assert xanes.asset.demand_needs == 2 and xanes.asset.demand_fit == pytest.approx(strength)
    assert xanes.score == pytest.approx(strength)  # idle: the whole strength counts
    assert surface.score == pytest.approx(float(fit_of_evidence(0.48) + fit_of_evidence(0.58)) * (1 - 0.5))
    assert [need.text for need in xanes.needs] == [
        "micro-XANES of iron in soils",
        "XANES microscopy of battery electrodes",
    ]
    assert (xanes.teams, xanes.organizations, xanes.anonymous_needs) == (("Team Soil",), ("University of Leeds",), 1)
    assert [u.asset.iri for u in underused(utilisation(store, log, until=UNTIL, min_fit=0.6), log)] == [XANES]
    assert len(underused(utilisation(store, log, until=UNTIL), log, limit=1)) == 1


def test_demand_strength_sums_the_fits_the_teams_were_shown(log: DemandLog) -> None:
    """Logged as the service logs now: a result presented as a match counts at the fit it was shown, whatever its
    cosine; one shown only as the closest where nothing fitted does not count, however close."""
    log.record("XANES of soils", {}, [TopResult(XANES, 0.2, "Instrument", 1, 0.41, True, 0.2)], asked_at=day(9))
    log.record("XANES again", {}, [TopResult(XANES, 0.1, "Instrument", 1, 0.52, True, 0.1)], asked_at=day(8))
    log.record("a canteen app", {}, [TopResult(SURFACE, 0.01, "Instrument", 1, 0.47, False, 0.01)], asked_at=day(7))
    ranked = underused(utilisation(store_with(), log, until=UNTIL), log)
    assert [u.asset.iri for u in ranked] == [XANES]
    assert ranked[0].strength == pytest.approx(0.3) and [n.fit for n in ranked[0].needs] == [0.2, 0.1]


def test_a_centre_sees_its_own_assets(log: DemandLog) -> None:
    report = utilisation(store_with(), log, until=UNTIL, organization=ANL)
    assert [a.iri for a in report.assets] == [APS, XAFS]
    under_doe = utilisation(store_with(), log, until=UNTIL, organization=DOE)  # and everything under it
    assert len(under_doe.assets) == 5


def test_undated_records_are_counted_apart(log: DemandLog) -> None:
    u = n(f"{ID}usage/bookings/undated")
    store = store_with()
    store.replace_source(
        "undated",
        "r1",
        [(u, RDF_.type, SKG.UsageRecord), (u, SKG.usedResource, n(XANES)), (u, SKG.hoursUsed, hours(3))],
        "c3",
    )
    report = utilisation(store, log, until=UNTIL)
    assert report.undated_records == 1 and next(a for a in report.assets if a.iri == XANES).hours_used == 0.0


def test_bad_windows_and_capacities_are_refused(log: DemandLog) -> None:
    store = store_with()
    with pytest.raises(InputError, match="start before the end"):
        utilisation(store, log, since=UNTIL, until=UNTIL)
    with pytest.raises(InputError, match="no time zone"):
        utilisation(store, log, until=datetime(2026, 1, 1))
    with pytest.raises(InputError, match="negative"):
        utilisation(store, log, until=UNTIL, capacity_defaults={"Instrument": -1})
