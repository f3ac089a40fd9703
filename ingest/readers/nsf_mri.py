"""NSF Major Research Instrumentation (MRI) awards, as JSON lines or CSV (lists joined with ``; ``).

One award is one shared instrument a university acquires or develops with NSF money. Each award
yields the awardee ``Organization``, the ``Grant``, an ``Expert`` for the PI and each co-PI and one
``Instrument`` whose contacts are those investigators. Investigators have no id in the source, so
their local id is a slug of name and institution: the same person at the same institution in two
awards gets one id and the mapping merges the two records. The format is chosen by file suffix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from graph.errors import InputError
from ingest.readers.base import Fields, ReadItem, guarded, iter_csv, iter_jsonl, read_text, unknown_columns
from ingest.records import (
    Expert,
    Grant,
    GrantRef,
    Instrument,
    Organization,
    OrgRef,
    Origin,
    Place,
    Record,
    Role,
)
from ingest.report import Reject

FIELDS = {
    "award_id",
    "url",
    "title",
    "kind",
    "abstract",
    "institution",
    "city",
    "state_code",
    "state",
    "country",
    "pi_name",
    "co_pi_names",
    "start_date",
    "end_date",
    "amount_usd",
    "directorate",
    "directorate_name",
    "division",
    "division_name",
    "program_elements",
    "program_officer",
    "award_instrument",
    "same_project_award_ids",
    "source_repo",
}
_REQUIRED_HEADER = {"award_id", "title", "institution", "pi_name"}
_TITLE_PREFIX = re.compile(
    r"^(?:(?:OIA/)?MRI(?:[-/ ](?:R2|RUI|RAPID|Consortium|Acquisition))*|Collaborative Research(?:-MRI)?"
    r"|Consortium Proposal)\s*:\s*|^MRI\s+(?=(?:Acquisition|Development)\b)",
    re.IGNORECASE,
)
_UNIVERSITY = re.compile(
    r"\b(?:univ\w*|college|polytechnic|suny|institute of tech\w*|school of (?:mines|engineering))\b",
    re.IGNORECASE,
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ELEMENT_CODE = re.compile(r"^[0-9A-Z]{4}(?:\s+|$)")
_ROLE_FIELD = {"PI": "pi_name", "co-PI": "co_pi_names"}


class NsfMriReader:
    name = "nsf-mri"
    description = "NSF Major Research Instrumentation award records (awards.jsonl or awards.csv)"

    def sniff(self, path: Path, head: str) -> bool:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            first = head.splitlines()[0] if head else ""
            return all(c in first.split(",") for c in ("award_id", "pi_name", "co_pi_names"))
        keys = ('"award_id"', '"title"')
        return (
            suffix == ".jsonl"
            and head.lstrip().startswith("{")
            and all(k in head for k in keys)
            and ('"expert_id"' not in head)
        )

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            yield from _read_csv(read_text(path), source)
        elif suffix == ".jsonl":
            yield from _read_jsonl(read_text(path), source)
        else:
            raise InputError(f"{source}: {path.name}: expected a .jsonl or .csv file of NSF MRI awards")


def _read_csv(text: str, source: str) -> Iterator[ReadItem]:
    table = iter_csv(text, source)
    missing = _REQUIRED_HEADER - set(table.header)
    if missing:
        raise InputError(f"{source}: not an NSF MRI awards CSV, the header lacks {sorted(missing)}")
    yield from unknown_columns(table.header, FIELDS, source)
    for line, row in table.rows:
        yield from _award(row, line, source)


def _read_jsonl(text: str, source: str) -> Iterator[ReadItem]:
    reported: set[str] = set()
    for line, row in iter_jsonl(text, source):
        if isinstance(row, dict):
            for key in sorted(row.keys() - FIELDS - reported):
                reported.add(key)
                reason = "unknown field, its values are ignored"
                yield Reject(source, line, _record_id(row), key, reason, severity="warning")
        yield from _award(row, line, source)


def _award(row: Mapping[str, Any] | Reject, line: int, source: str) -> Iterator[ReadItem]:
    if isinstance(row, Reject):
        yield row
        return
    record_id = _record_id(row)
    fields = Fields(row, source=source, line=line, record_id=record_id)
    yield from guarded(source, line, record_id, lambda: _records(fields))


def _record_id(row: Mapping[str, Any]) -> str | None:
    value = row.get("award_id")
    return (str(value).strip() or None) if isinstance(value, str | int) else None


def _records(f: Fields) -> Sequence[Record]:
    origin = Origin(f.source, f.line, f.required("award_id"))
    grant = _grant(f, origin)
    institution = f.text("institution")
    org = OrgRef(institution) if institution else None
    place = Place(city=f.text("city"), region=f.text("state"), country=f.text("country"))
    experts = _experts(f, origin, grant.ref, org, place)
    records: list[Record] = [] if org is None else [_organization(org, place, origin)]
    return [*records, grant, *experts, _instrument(f, origin, grant, org, place, experts)]


def _organization(org: OrgRef, place: Place, origin: Origin) -> Organization:
    kind = "university" if _UNIVERSITY.search(org.name) else None
    return Organization(origin=origin, name=org.name, place=place, kind=kind)


def _grant(f: Fields, origin: Origin) -> Grant:
    division = _division(f)
    return Grant(
        origin=origin,
        ref=GrantRef("nsf", origin.record_id),
        title=f.required("title"),
        abstract=f.text("abstract"),
        start=f.iso_date("start_date"),
        end=f.iso_date("end_date"),
        amount_usd=f.integer("amount_usd"),
        url=f.url("url"),
        programme=tuple(dict.fromkeys(p for p in (division, *_programme_names(f)) if p)),
    )


def _division(f: Fields) -> str | None:
    return f.text("division_name") or f.text("division")


def _programme_names(f: Fields) -> tuple[str, ...]:
    """Program element names: ``{code, name}`` objects in JSON, ``CODE NAME`` items in CSV."""
    if isinstance(f.raw.get("program_elements"), list):
        elements = f.objects("program_elements")
        names = (f.nested("program_elements", i, e).text("name") for i, e in enumerate(elements))
        return tuple(n for n in names if n)
    names = (_ELEMENT_CODE.sub("", item) for item in f.strings("program_elements", separator=";"))
    return tuple(n for n in names if n)


def _experts(f: Fields, origin: Origin, grant: GrantRef, org: OrgRef | None, place: Place) -> list[Expert]:
    people = [(name, "PI") for name in (f.text("pi_name"),) if name]
    people += [(name, "co-PI") for name in f.strings("co_pi_names", separator=";")]
    roles: dict[str, str] = {}
    for name, role in people:
        roles.setdefault(name, role)
    return [
        Expert(
            origin=origin,
            local_id=_person_id(f, _ROLE_FIELD[role], name, org),
            name=name,
            affiliations=() if org is None else (org,),
            roles=(Role(grant, role),),
            place=place,
        )
        for name, role in roles.items()
    ]


def _person_id(f: Fields, field: str, name: str, org: OrgRef | None) -> str:
    person = _slug(name)
    if not person:
        raise f.error(field, f"name {name!r} has no letters or digits to make an id from")
    return f"{person}--{_slug(org.name)}" if org else person


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NON_ALNUM.sub("-", ascii_text.replace("'", "")).strip("-")


def clean_title(title: str) -> str:
    """The title without MRI programme prefixes ("MRI:", "MRI-R2 Consortium:", "Collaborative Research:")."""
    cleaned = title
    while (stripped := _TITLE_PREFIX.sub("", cleaned, count=1)) != cleaned:
        cleaned = stripped
    return cleaned or title


def _instrument(
    f: Fields, origin: Origin, grant: Grant, org: OrgRef | None, place: Place, experts: list[Expert]
) -> Instrument:
    kind = f.text("kind")
    related = "; ".join(f.strings("same_project_award_ids", separator=";"))
    specs = [("kind", kind if kind != "unspecified" else None), ("same project as NSF awards", related)]
    return Instrument(
        origin=origin,
        local_id=origin.record_id,
        name=clean_title(grant.title),
        description=grant.abstract,
        keywords=tuple(dict.fromkeys(k for k in (f.text("directorate_name"), _division(f)) if k)),
        organization=org,
        place=place,
        contacts=tuple(dict.fromkeys(e.local_id for e in experts)),
        grant=grant.ref,
        specs=tuple((name, value) for name, value in specs if value),
    )
