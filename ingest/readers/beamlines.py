"""X-ray absorption spectroscopy beamlines and the light sources that host them (XAS Data Library CSVs).

``beamlines.csv`` has one beamline per row (an ``Instrument`` keyed ``FACILITY/BEAMLINE``) and names its
facility by acronym; ``facilities.csv`` has one synchrotron or free-electron laser per row (a
``Facility`` keyed by that same acronym), so both files read as one source link up. The source marks
unknown values with ``.``; those read as missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from graph.errors import InputError
from ingest.readers.base import Fields, ReadItem, guarded, iter_csv, read_text, unknown_columns
from ingest.records import Contact, Facility, Instrument, Origin, Place, Record

BEAMLINE_COLUMNS = {
    "id",
    "facility",
    "facility_full_name",
    "country",
    "region",
    "beamline",
    "beamline_name",
    "purpose",
    "energy_range_keV",
    "beam_size",
    "flux_photons_per_s",
    "status",
    "website",
}
FACILITY_COLUMNS = {
    "facility_id",
    "full_name",
    "category",
    "active",
    "country",
    "website",
    "contact_email",
    "contact_phone",
    "postal_address",
}
SPECS = (
    ("energy range (keV)", "energy_range_keV"),
    ("beam size (mm unless stated)", "beam_size"),
    ("flux (photons/s)", "flux_photons_per_s"),
    ("region", "region"),
)
ACCESS = "by proposal (user office)"
_PLACEHOLDER = re.compile(r"^[.\-\s]*$")
_TECHNIQUE_SPLIT = re.compile(r"\s*(?:[,;]|(?<=[a-z]{4})\.\s|\bor\b)\s*")
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]+$|^\d{1,3}(?:\.\d{1,3}){3}$", re.IGNORECASE)


class BeamlineReader:
    name = "xas-beamlines"
    description = "XAS beamlines of the world's light sources (XAS Data Library beamlines.csv)"

    def sniff(self, path: Path, head: str) -> bool:
        return _header_has(path, head, ("id", "facility", "beamline", "purpose"))

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        yield from _read(path, source, BEAMLINE_COLUMNS, "id", _beamline)


class LightSourceReader:
    name = "light-sources"
    description = "Synchrotrons and free-electron lasers with user-office contacts (XAS Data Library facilities.csv)"

    def sniff(self, path: Path, head: str) -> bool:
        return _header_has(path, head, ("facility_id", "full_name", "category"))

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        yield from _read(path, source, FACILITY_COLUMNS, "facility_id", _facility)


def _header_has(path: Path, head: str, columns: Sequence[str]) -> bool:
    header = {c.strip() for c in (head.splitlines()[0] if head else "").split(",")}
    return path.suffix.lower() == ".csv" and all(c in header for c in columns)


def _read(
    path: Path, source: str, columns: set[str], key: str, build: Callable[[Fields], Record]
) -> Iterator[ReadItem]:
    table = iter_csv(read_text(path), source)
    if key not in table.header:
        raise InputError(f"{source}: {path.name}: the header lacks the {key!r} column; is this the right file?")
    yield from unknown_columns(table.header, columns, source)
    for line, row in table.rows:
        if isinstance(row, dict):
            yield from _row(row, line, source, key, build)
        else:
            yield row


def _row(
    row: dict[str, str], line: int, source: str, key: str, build: Callable[[Fields], Record]
) -> Iterator[ReadItem]:
    record_id = " ".join(row.get(key, "").split()) or None
    fields = Fields(row, source=source, line=line, record_id=record_id)
    yield from guarded(source, line, record_id, lambda: [build(fields)])


def _value(f: Fields, name: str) -> str | None:
    """Text with whitespace runs (a stray carriage return) made one space; ``.`` or ``-`` alone is missing."""
    text = f.text(name)
    return None if text is None or _PLACEHOLDER.match(text) else " ".join(text.split())


def _required(f: Fields, name: str) -> str:
    value = _value(f, name)
    if value is None:
        raise f.error(name, "required value is missing")
    return value


def _website(f: Fields, name: str) -> str | None:
    url = f.url(name) if _value(f, name) else None
    if url is not None and not _HOST.match(urlsplit(url).hostname or ""):
        raise f.error(name, f"expected a web address with a host name, found {url!r}")
    return url


def _beamline(f: Fields) -> Instrument:
    local_id = _required(f, "id")
    facility = _value(f, "facility")
    purpose = _value(f, "purpose")
    status = _value(f, "status")
    specs = ((label, _value(f, column)) for label, column in SPECS)
    return Instrument(
        origin=Origin(f.source, f.line, local_id),
        local_id=local_id,
        name=_beamline_name(f, local_id),
        description=purpose,
        instrument_type="beamline",
        techniques=_techniques(purpose),
        facility=facility,
        place=Place(country=_value(f, "country")),
        homepage=_website(f, "website"),
        status=status[:1].upper() + status[1:] if status else None,
        access=ACCESS,
        specs=tuple((label, value) for label, value in specs if value),
    )


def _beamline_name(f: Fields, local_id: str) -> str:
    """``APS 13-BM-D (GSECARS)``: facility, beamline and the beamline's own name when it has one."""
    beamline = _value(f, "beamline")
    own = _value(f, "beamline_name")
    name = " ".join(p for p in (_value(f, "facility"), beamline) if p) if beamline else local_id
    return f"{name} ({own})" if own and own != beamline else name


def _techniques(purpose: str | None) -> tuple[str, ...]:
    """Purpose text split on commas, semicolons, sentence ends and "or" (alternative branches)."""
    if purpose is None:
        return ()
    parts = (p.strip(" .") for p in _TECHNIQUE_SPLIT.split(purpose))
    return tuple(dict.fromkeys(p for p in parts if p))


def _facility(f: Fields) -> Facility:
    local_id = _required(f, "facility_id")
    name = _required(f, "full_name")
    email = _value(f, "contact_email")
    contact = Contact(email=_email(f, "contact_email") if email else None, phone=_value(f, "contact_phone"))
    return Facility(
        origin=Origin(f.source, f.line, local_id),
        local_id=local_id,
        name=name,
        alt_names=(local_id,) if local_id != name else (),
        kind=_value(f, "category"),
        place=Place(country=_value(f, "country"), address=_value(f, "postal_address")),
        homepage=_website(f, "website"),
        contact=contact,
        active=f.boolean("active"),
        access=ACCESS,
    )


def _email(f: Fields, name: str) -> str | None:
    """The address, percent-escapes decoded (the source has ``%20info@…`` copied from a mailto link)."""
    decoded = Fields({name: unquote(f.raw.get(name) or "")}, source=f.source, line=f.line, record_id=f.record_id)
    return decoded.email(name)
