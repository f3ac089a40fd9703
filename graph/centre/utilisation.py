"""Utilisation of instruments and facilities: hours used against capacity, and against demand.

For a window (by default the 365 days before ``until``), each instrument and facility gets the hours booked and
used in its usage records and its capacity for the window: ``skg:capacityHoursPerYear`` on the resource (the
largest, when sources disagree) or a per-type default the caller passes (``DEFAULT_CAPACITY``), times the window's
length in years of 365 days. Utilisation is hours used / capacity; it is undefined (None) for a capacity of zero
or none known. Demand comes from the demand log: the needs in the window that had the resource among their top
results presented as a match (not as one of the closest shown where nothing fitted; needs logged before the log
kept that: at a cosine of at least ``min_fit``, default ``graph.centre.demand.MIN_FIT``, 0.45, below which a result was
mostly off-topic on real needs), and their summed fit (see ``graph.centre.demand.ResourceDemand``).

How a usage record counts:
- only records naming the asset itself (``skg:usedResource``) count: an instrument's hours are not added to its
  facility, which has its own capacity;
- a record spanning the window's edge counts in proportion to its overlap; one without an end counts where its
  start falls; one without a start is left out (and counted in ``undated_records``);
- hours used are ``skg:hoursUsed``; a record without them counts its booked hours as used when its
  ``skg:usageStatus`` is ``completed`` or absent, and nothing otherwise (no-show, cancelled, booked ahead);
- hours booked leave out cancelled bookings (the slot was given back); no-shows count as booked.

The under-used ranking (``underused``): an asset's *demand strength* is the sum of the fit of the needs it was
presented to in the window (the calibrated fit the team was shown, the chance that the asset is one the need
wanted, so the sum is how many needs it can be expected to have fitted; ``graph.centre.demand.TopResult.shown_fit``
for requests logged before fits were kept); its *rank score* is ``strength * (1 - min(utilisation, 1))``: assets
many needs fitted well and that sit idle come first; a fully used asset scores 0 whatever its demand. Assets
without a defined utilisation, or without demand, are not ranked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from graph.centre.demand import MIN_FIT, DemandLog
from graph.errors import InputError
from graph.store import SparqlStore, iri_ref, select
from graph.store import sparql_queries as q
from ontology.terms import SKG_NS

#: Hours a year an asset can be booked, by type, when the resource states none: 40 hours a week for 40 weeks
#: (an instrument) or 50 weeks (a facility). Pass your own to ``utilisation``.
DEFAULT_CAPACITY: Mapping[str, float] = {"Instrument": 1600.0, "Facility": 2000.0}
DEFAULT_WINDOW = timedelta(days=365)
YEAR = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class AssetUse:
    """One asset's use in the window, against its capacity and against demand."""

    iri: str
    type: str  # Instrument | Facility
    label: str
    organization: str  # IRI of the host ("" when unknown)
    organization_label: str
    capacity_per_year: float | None  # hours a year: stated, or the type default, or None
    capacity_from: str  # "resource" | "type default" | "none"
    capacity_hours: float | None  # capacity in the window
    hours_booked: float
    hours_used: float
    records: int  # usage records that fall (at least partly) in the window
    users: tuple[str, ...]  # IRIs of the teams, people or organisations that used it
    utilisation: float | None  # hours_used / capacity_hours; None when the capacity is 0 or unknown
    booked_share: float | None  # hours_booked / capacity_hours
    demand_needs: int  # logged needs in the window that had it among their top results
    demand_fit: float  # their summed fit: the demand strength


@dataclass(frozen=True, slots=True)
class UtilisationReport:
    since: datetime
    until: datetime
    assets: tuple[AssetUse, ...]  # by type, then IRI
    undated_records: int  # usage records without a start time, left out of every figure
    min_fit: float | None = MIN_FIT  # the least cosine a result logged before ``presented`` needed to count as demand


@dataclass(frozen=True, slots=True)
class FittedNeed:
    """A logged need an asset was among the top results for."""

    id: int
    text: str
    asked_at: str
    fit: float  # the fit it was shown (``TopResult.shown_fit``)
    rank: int
    team: str | None
    organization: str | None


@dataclass(frozen=True, slots=True)
class UnderusedAsset:
    asset: AssetUse
    strength: float  # sum of the fits of ``needs``
    score: float  # strength * (1 - min(utilisation, 1)): the ranking key
    needs: tuple[FittedNeed, ...]  # closest fit first
    teams: tuple[str, ...]  # team names the askers gave (personal data: only what was sent)
    organizations: tuple[str, ...]  # organisations the askers gave
    anonymous_needs: int  # needs whose askers gave no team


@dataclass(slots=True)
class _Usage:
    booked: float = 0.0
    used: float = 0.0
    records: int = 0
    users: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Record:
    resource: str
    start: datetime | None
    end: datetime | None
    booked: float | None
    used: float | None
    status: str
    users: set[str] = field(default_factory=set)


def utilisation(
    store: SparqlStore,
    log: DemandLog,
    *,
    until: datetime | None = None,
    since: datetime | None = None,
    capacity_defaults: Mapping[str, float] = DEFAULT_CAPACITY,
    organization: str | None = None,
    min_fit: float | None = MIN_FIT,
) -> UtilisationReport:
    """Every instrument and facility (of ``organization`` and the units under it, when given) with its use in
    ``[since, until)`` (by default the 365 days up to now) and the demand for it: the needs it was presented to as
    a match (logged before that was kept: at a cosine of at least ``min_fit``; None: every logged result)."""
    end = _aware(until, "until") if until is not None else datetime.now(UTC)
    start = _aware(since, "since") if since is not None else end - DEFAULT_WINDOW
    if start >= end:
        raise InputError(f"the window starts {start.isoformat()} and ends {end.isoformat()}; start before the end")
    if any(hours < 0 for hours in capacity_defaults.values()):
        raise InputError(f"capacity defaults {dict(capacity_defaults)} hold a negative number of hours")
    years = (end - start) / YEAR
    usage, undated = _usage(store, start, end)
    demand = {d.iri: d for d in log.demand(start, end, min_fit=min_fit)}
    assets = []
    for iri, type_name, label, org, org_label, stated in _assets(store, organization):
        per_year, source = _capacity(stated, capacity_defaults.get(type_name))
        capacity = per_year * years if per_year is not None else None
        use = usage.get(iri, _Usage())
        d = demand.get(iri)
        assets.append(
            AssetUse(
                iri=iri,
                type=type_name,
                label=label,
                organization=org,
                organization_label=org_label,
                capacity_per_year=per_year,
                capacity_from=source,
                capacity_hours=capacity,
                hours_booked=round(use.booked, 2),
                hours_used=round(use.used, 2),
                records=use.records,
                users=tuple(sorted(use.users)),
                utilisation=_share(use.used, capacity),
                booked_share=_share(use.booked, capacity),
                demand_needs=d.needs if d else 0,
                demand_fit=d.fit_sum if d else 0.0,
            )
        )
    return UtilisationReport(start, end, tuple(assets), undated, min_fit)


def underused(report: UtilisationReport, log: DemandLog, *, limit: int | None = None) -> list[UnderusedAsset]:
    """High-fit, low-use assets of ``report``, best first (see the module docstring for the score); each with
    the needs of the report's window it was presented to as a match (``TopResult.is_demand``) and who asked."""
    fitted: dict[str, list[FittedNeed]] = defaultdict(list)
    for need in log.needs(report.since, report.until):
        best: dict[str, FittedNeed] = {}
        for r in need.results:
            fit = r.shown_fit
            if r.is_demand(report.min_fit) and (r.iri not in best or fit > best[r.iri].fit):
                best[r.iri] = FittedNeed(need.id, need.text, need.asked_at, fit, r.rank, need.team, need.organization)
        for iri, f in best.items():
            fitted[iri].append(f)
    ranked = []
    for asset in report.assets:
        needs = sorted(fitted.get(asset.iri, []), key=lambda n: (-n.fit, n.id))
        if asset.utilisation is None or not needs:
            continue
        strength = sum(n.fit for n in needs)
        ranked.append(
            UnderusedAsset(
                asset,
                strength,
                strength * (1.0 - min(asset.utilisation, 1.0)),
                tuple(needs),
                _distinct(n.team for n in needs),
                _distinct(n.organization for n in needs),
                sum(1 for n in needs if not n.team),
            )
        )
    ranked.sort(key=lambda u: (-u.score, u.asset.iri))
    return ranked[:limit] if limit is not None else ranked


def _assets(store: SparqlStore, organization: str | None) -> list[tuple[str, str, str, str, str, float | None]]:
    scope = q.ASSET_SCOPE.replace("{organization}", iri_ref(organization)) if organization else ""
    rows = select(store, q.ASSETS_QUERY.replace("{scope}", scope))
    found: dict[str, tuple[str, str, str, str, str, float | None]] = {}
    for row in rows:
        iri, type_name = row["r"].value, row["type"].value.removeprefix(SKG_NS)
        label, org, org_label = (_text(row[name]) for name in ("label", "org", "orgLabel"))
        capacity = _number(row["capacity"])
        kept = found.get(iri)
        if kept is not None:  # several labels, hosts or capacities: keep the first label and host, the largest
            capacity = max((c for c in (kept[5], capacity) if c is not None), default=None)
            label, org, org_label = kept[2] or label, kept[3] or org, kept[4] or org_label
        found[iri] = (iri, type_name, label, org, org_label, capacity)
    return sorted(found.values(), key=lambda a: (a[1], a[0]))


def _usage(store: SparqlStore, start: datetime, end: datetime) -> tuple[dict[str, _Usage], int]:
    """Hours booked and used per resource in ``[start, end)``, and how many records had no start."""
    rows = select(store, q.USAGE_RECORDS_QUERY.replace("{records}", q.EVERY_USAGE_RECORD))
    records: dict[str, _Record] = {}
    for row in rows:  # one row per user of a record: gather them
        record = records.setdefault(
            row["usage"].value,
            _Record(
                row["resource"].value,
                _moment(row["start"]),
                _moment(row["end"]),
                _number(row["booked"]),
                _number(row["used"]),
                _text(row["status"]).lower(),
            ),
        )
        if row["user"] is not None:
            record.users.add(row["user"].value)
    per: dict[str, _Usage] = defaultdict(_Usage)
    undated = 0
    for r in records.values():
        if r.start is None:
            undated += 1
            continue
        share = _overlap(r.start, r.end, start, end)
        if share <= 0:
            continue
        use = per[r.resource]
        use.records += 1
        use.users |= r.users
        if r.status != "cancelled":
            use.booked += share * (r.booked or 0.0)
        if r.used is not None:
            use.used += share * r.used
        elif r.status in {"", "completed"}:
            use.used += share * (r.booked or 0.0)
    return per, undated


def _overlap(began: datetime, ended: datetime | None, start: datetime, end: datetime) -> float:
    """The share of a record's span inside ``[start, end)`` (1 or 0 for a record without a span)."""
    if ended is None or ended <= began:
        return 1.0 if start <= began < end else 0.0
    inside = min(ended, end) - max(began, start)
    return max(inside / (ended - began), 0.0)


def _capacity(stated: float | None, default: float | None) -> tuple[float | None, str]:
    if stated is not None:
        return stated, "resource"
    if default is not None:
        return default, "type default"
    return None, "none"


def _share(hours: float, capacity: float | None) -> float | None:
    return round(hours / capacity, 4) if capacity else None


def _distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _text(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else ""


def _number(term: object) -> float | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return float(term.value)
    except ValueError:
        return None


def _moment(term: object) -> datetime | None:
    """An xsd:dateTime as an aware datetime (UTC assumed where the literal has no zone); None if absent or bad."""
    if not isinstance(term, ox.Literal):
        return None
    try:
        moment = datetime.fromisoformat(term.value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise InputError(f"{name} {moment.isoformat()} has no time zone; give an aware datetime (e.g. UTC)")
    return moment.astimezone(UTC)


__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_WINDOW",
    "AssetUse",
    "FittedNeed",
    "UnderusedAsset",
    "UtilisationReport",
    "underused",
    "utilisation",
]
