"""Bookings and usage of shared resources, in the shape booking systems export them (CSV or JSON Lines).

One row is one booking or use: which resource, who (a team, a person or an organisation), when, hours booked and
hours used, and what became of it (``completed``, ``no-show``, ``cancelled``, ``booked``). The columns follow what
PPMS, iLab, NEMO and QReserve reports hold (see docs/usage-and-contest.md for the correspondence). A booking system
knows its own asset ids, not sharekg IRIs, so a row names the resource either by IRI or by the catalogue source it
was ingested from and the local id it has there (``resource_source`` + ``resource``): the mapping mints the IRI
that catalogue's reader minted. Teams, people and contest entries are named the same way.

A second, small format, ``capacity``, gives the hours a year each resource can be booked
(``skg:capacityHoursPerYear``); resources without one get a per-type default where the analytics need it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.store import BASE
from ingest.iris import SOURCE_NAME
from ingest.readers.base import Fields, ReadItem, guarded, iter_csv, iter_jsonl, read_text, unknown_columns
from ingest.records import Capacity, IriRef, OrgRef, Origin, Record, RecordRef, Ref, UsageRecord
from ingest.report import Reject

COLUMNS = {
    "id",
    "resource",
    "resource_type",
    "resource_source",
    "organization",
    "department",
    "team",
    "team_source",
    "person",
    "person_source",
    "entry",
    "entry_source",
    "start",
    "end",
    "hours_booked",
    "hours_used",
    "status",
    "synthetic",
}
CAPACITY_COLUMNS = {"resource", "resource_type", "resource_source", "capacity_hours_per_year"}
RESOURCE_KINDS = ("instrument", "facility", "dataset", "expert")
#: Status words of booking-system exports, by the status they mean.
STATUSES = {
    "completed": "completed",
    "complete": "completed",
    "done": "completed",
    "finished": "completed",
    "used": "completed",
    "no-show": "no-show",
    "no show": "no-show",
    "noshow": "no-show",
    "no_show": "no-show",
    "missed": "no-show",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "auto-cancelled": "cancelled",
    "auto-canceled": "cancelled",
    "booked": "booked",
    "reserved": "booked",
    "confirmed": "booked",
    "approved": "booked",
    "scheduled": "booked",
}
HOURS_A_YEAR = Decimal(8784)  # a leap year: the most hours anything can be booked or used in one
_USED_NOTHING = {"no-show", "cancelled"}
_SPACE = re.compile(r"\s")


class UsageReader:
    name = "usage"
    description = "Bookings and usage of shared resources (booking-system export, CSV or JSON Lines)"

    def sniff(self, path: Path, head: str) -> bool:
        return _looks_like(path, head, ("id", "resource", "start"))

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        seen: dict[str, int] = {}
        yield from _rows(path, source, COLUMNS, {"id", "resource", "start"}, "id", partial(_usage, seen=seen))


class CapacityReader:
    name = "capacity"
    description = "Capacity of shared resources in hours a year (CSV or JSON Lines)"

    def sniff(self, path: Path, head: str) -> bool:
        return _looks_like(path, head, ("resource", "capacity_hours_per_year"))

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        seen: dict[Ref, int] = {}
        needed = {"resource", "capacity_hours_per_year"}
        yield from _rows(path, source, CAPACITY_COLUMNS, needed, "resource", partial(_capacity, seen=seen))


def _looks_like(path: Path, head: str, keys: Sequence[str]) -> bool:
    first = head.splitlines()[0] if head.strip() else ""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return set(keys) <= {c.strip() for c in first.split(",")}
    if suffix in {".jsonl", ".ndjson"}:
        return first.lstrip().startswith("{") and all(f'"{k}"' in first for k in keys)
    return False


def _rows(
    path: Path, source: str, known: set[str], needed: set[str], id_key: str, build: Callable[[Fields], Sequence[Record]]
) -> Iterator[ReadItem]:
    """Rows of a CSV or JSON Lines file as records or problems; unknown columns (keys) are warned about once."""
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = iter_csv(text, source)
        missing = needed - set(table.header)
        if missing:
            raise InputError(f"{source}: {path.name}: the header lacks {sorted(missing)} (docs/usage-and-contest.md)")
        yield from unknown_columns(table.header, known, source)
        rows: Iterator[tuple[int, Mapping[str, Any] | Reject]] = iter(table.rows)
    elif suffix in {".jsonl", ".ndjson"}:
        rows = iter(iter_jsonl(text, source))
    else:
        raise InputError(f"{source}: {path.name}: expected a .csv or .jsonl file")
    warned: set[str] = set()
    for line, row in rows:
        if isinstance(row, Reject):
            yield row
            continue
        record_id = _raw_id(row.get(id_key))
        if suffix != ".csv":
            for key in sorted(row.keys() - known - warned):
                yield Reject(source, line, record_id, key, "unknown key, its values are ignored", "warning")
            warned |= row.keys() - known
        fields = Fields(row, source=source, line=line, record_id=record_id)
        yield from guarded(source, line, record_id, partial(build, fields))


def _raw_id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _usage(f: Fields, seen: dict[str, int]) -> Sequence[Record]:
    local_id = f.required("id")
    if local_id in seen:
        raise f.error("id", f"duplicate id, first given at line {seen[local_id]}; this row is skipped")
    resource = resource_ref(f, "resource", "resource_source", "resource_type")
    start, end = _times(f)
    status = _status(f)
    hours_used = hours(f, "hours_used")
    hours_booked = hours(f, "hours_booked")
    if hours_booked is None and end is not None:
        hours_booked = (Decimal((end - start).total_seconds()) / 3600).quantize(Decimal("0.01"))
        if hours_booked > HOURS_A_YEAR:
            raise f.error("end", f"a booking of {hours_booked} hours is longer than a year")
    if status in _USED_NOTHING and hours_used:
        raise f.error("hours_used", f"a {status} booking used no hours, found {hours_used}")
    if hours_booked is None and hours_used is None:
        raise f.error("end", "give the end time, hours_booked or hours_used: the row says nothing of how long")
    record = UsageRecord(
        origin=Origin(f.source, f.line, local_id),
        local_id=local_id,
        resource=resource,
        start=start,
        end=end,
        hours_booked=hours_booked,
        hours_used=hours_used,
        status=status,
        organization=_organization(f),
        team=other_ref(f, "team", "team_source", ("team",)),
        person=other_ref(f, "person", "person_source", ("person", "expert")),
        entry=other_ref(f, "entry", "entry_source", ("entry",)),
        synthetic=bool(f.boolean("synthetic")),
    )
    if record.organization is None and record.team is None and record.person is None:
        raise f.error("organization", "a usage row names who used the resource: organization, team or person")
    seen[local_id] = f.line
    return [record]


def _capacity(f: Fields, seen: dict[Ref, int]) -> Sequence[Record]:
    resource = resource_ref(f, "resource", "resource_source", "resource_type")
    if resource in seen:
        raise f.error("resource", f"capacity already given at line {seen[resource]}; this row is skipped")
    value = hours(f, "capacity_hours_per_year")
    if value is None or value == 0:
        raise f.error("capacity_hours_per_year", "required value is missing (a number of hours above 0)")
    seen[resource] = f.line
    return [Capacity(origin=Origin(f.source, f.line, f.required("resource")), resource=resource, hours_per_year=value)]


def _times(f: Fields) -> tuple[datetime, datetime | None]:
    start = date_time(f, "start")
    if start is None:
        raise f.error("start", "required value is missing")
    end = date_time(f, "end")
    if end is not None:
        if (start.tzinfo is None) != (end.tzinfo is None):
            raise f.error("end", "give both times with a UTC offset, or neither")
        if end < start:
            raise f.error("end", f"ends before it starts ({end.isoformat()} < {start.isoformat()})")
    return start, end


def date_time(f: Fields, name: str) -> datetime | None:
    """An ISO 8601 date and time (``2024-03-04T09:30``, ``2024-03-04 09:30:00``, with or without an offset)."""
    text = f.text(name)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise f.error(name, f"expected a date and time as YYYY-MM-DDTHH:MM (ISO 8601), found {text!r}") from None


def hours(f: Fields, name: str) -> Decimal | None:
    """A number of hours, 0 to a year's worth; ``1E+1`` and ``2.50`` read as plain decimals."""
    text = f.text(name)
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise f.error(name, f"expected a number of hours such as 2.5, found {text!r}") from None
    if not value.is_finite() or value < 0 or value > HOURS_A_YEAR:
        raise f.error(name, f"expected a number of hours from 0 to {HOURS_A_YEAR}, found {text!r}")
    return Decimal(format(value, "f"))


def _status(f: Fields) -> str | None:
    text = f.text("status")
    if text is None:
        return None
    status = STATUSES.get(text.lower())
    if status is None:
        raise f.error("status", f"expected completed, no-show, cancelled or booked, found {text!r}")
    return status


def _organization(f: Fields) -> OrgRef | None:
    organization, department = f.text("organization"), f.text("department")
    if organization is None:
        return OrgRef(department) if department else None
    parent = OrgRef(organization)
    return OrgRef(department, parent) if department and department != organization else parent


def resource_ref(f: Fields, name: str, source_key: str, kind_key: str) -> Ref:
    """The resource a row names: a sharekg IRI, or a local id of the catalogue source in ``source_key``."""
    kind = (f.text(kind_key) or "instrument").lower()
    if kind not in RESOURCE_KINDS:
        raise f.error(kind_key, f"expected one of {', '.join(RESOURCE_KINDS)}, found {kind!r}")
    ref = other_ref(f, name, source_key, (kind, *RESOURCE_KINDS))
    if ref is None:
        raise f.error(name, "required value is missing")
    return ref


def other_ref(f: Fields, name: str, source_key: str, kinds: Sequence[str]) -> Ref | None:
    """A record of another source: an IRI under the sharekg base, or a local id with its source in ``source_key``."""
    value = f.text(name)
    if value is None:
        return None
    return reference(value, f.text(source_key), kinds, f, name, source_key)


def reference(value: str, source: str | None, kinds: Sequence[str], f: Fields, name: str, source_key: str) -> Ref:
    """``value`` as a sharekg IRI of one of ``kinds``, or as a local id of ``source`` (minted as ``kinds[0]``)."""
    if value.startswith(("http://", "https://")):
        if not value.startswith(BASE) or _SPACE.search(value):
            raise f.error(name, f"expected a sharekg IRI ({BASE}...) or a local id, found {value!r}")
        if not any(value.startswith(f"{BASE}{kind}/") for kind in kinds):
            under = " or ".join(f"{BASE}{kind}/" for kind in dict.fromkeys(kinds))
            raise f.error(name, f"expected a sharekg IRI under {under}, found {value!r}")
        return IriRef(value)
    if source is None:
        raise f.error(source_key, f"{name} {value!r} is a local id: name the source it was ingested as")
    if not SOURCE_NAME.match(source):
        raise f.error(source_key, f"expected a source name (lower-case letters, digits and '-'), found {source!r}")
    return RecordRef(kinds[0], source, value)
