"""Uniquip equipment CSV, the format UK universities publish their shared equipment in.

One row per item; ``Type`` says ``equipment`` (an ``Instrument``) or ``facility`` (a ``Facility``),
and ``Related Facility ID`` puts equipment in a facility of the same file. The owning organisation
is ``Department`` as part of ``Institution Name``. Columns follow the Uniquip specification
(equipment.data.ac.uk/uniquip); any other column is reported once as a warning and ignored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

from graph.errors import InputError
from ingest.readers.base import Fields, ReadItem, guarded, iter_csv, read_text, unknown_columns
from ingest.records import Contact, Facility, Instrument, OrgRef, Origin, Place, Record

COLUMNS = {
    "Type",
    "Name",
    "Description",
    "Related Facility ID",
    "Technique",
    "Location",
    "Contact Name",
    "Contact Telephone",
    "Contact URL",
    "Contact Email",
    "Secondary Contact Name",
    "Secondary Contact Telephone",
    "Secondary Contact URL",
    "Secondary Contact Email",
    "ID",
    "Photo",
    "Department",
    "Site Location",
    "Building",
    "Service Level",
    "Web Address",
    "Institution Name",
    "Institution Logo URL",
    "Institution URL",
    "Datasource",
    "Date Updated",
}
_REQUIRED_HEADER = {"Type", "Name", "ID"}


class UniquipReader:
    name = "uniquip"
    description = "Uniquip equipment CSV (UK university equipment registers)"

    def sniff(self, path: Path, head: str) -> bool:
        first = head.splitlines()[0] if head else ""
        return path.suffix.lower() == ".csv" and all(c in first for c in ("Type", "Name", "Institution Name"))

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        table = iter_csv(read_text(path), source)
        missing = _REQUIRED_HEADER - set(table.header)
        if missing:
            raise InputError(f"{source}: not a Uniquip CSV, the header lacks {sorted(missing)}")
        yield from unknown_columns(table.header, COLUMNS, source)
        for line, row in table.rows:
            if not isinstance(row, dict):
                yield row
                continue
            record_id = row.get("ID") or None
            fields = Fields(row, source=source, line=line, record_id=record_id)
            yield from guarded(source, line, record_id, partial(_records, fields))


def _records(f: Fields) -> Sequence[Record]:
    origin = Origin(f.source, f.line, f.required("ID"))
    kind = f.required("Type").lower()
    institution = f.text("Institution Name")
    department = f.text("Department")
    organization: OrgRef | None = None
    if institution:
        parent = OrgRef(institution)
        organization = OrgRef(department, parent) if department and department != institution else parent
    elif department:
        organization = OrgRef(department)
    place = Place(city=f.text("Site Location"), address=f.text("Building"))
    contact = Contact(email=f.email("Contact Email"), phone=f.text("Contact Telephone"), url=f.url("Contact URL"))
    name = f.required("Name")
    description = f.text("Description")
    if kind == "facility":
        return [
            Facility(
                origin=origin,
                local_id=origin.record_id,
                name=name,
                description=description if description != name else None,
                operator=organization,
                place=place,
                homepage=f.url("Web Address"),
                contact=contact,
                access=f.text("Service Level"),
            )
        ]
    if kind != "equipment":
        raise f.error("Type", f"expected 'equipment' or 'facility', found {kind!r}")
    return [
        Instrument(
            origin=origin,
            local_id=origin.record_id,
            name=name,
            description=description if description != name else None,
            techniques=f.strings("Technique", separator=";"),
            organization=organization,
            facility=f.text("Related Facility ID"),
            place=place,
            contact=contact,
            homepage=f.url("Web Address"),
            access=f.text("Service Level"),
        )
    ]
