"""The ``mapped`` format: any CSV, TSV or JSON Lines file, its rows read into records through a column mapping.

The mapping file (``ingest.readers.column_mapping``) says which record type each row becomes and which column holds each
field; this module decodes the file (``ingest.readers.decoding``: declared, or detected among UTF-8, UTF-16 and
GB18030), checks its header against the mapping and turns every row into a record. Rows are read like any other
format: a bad row becomes a ``Reject`` naming its line, id and column, and the other rows still load.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import MISSING, fields
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from graph.errors import InputError
from ingest.readers.base import Fields, ReadItem, guarded, iter_csv, iter_jsonl
from ingest.readers.column_mapping import (
    SUFFIXES,
    ColumnMapping,
    FieldMap,
    check_value,
    group_classes,
    load_column_mapping,
    org_ref,
    shape_value,
    targets,
)
from ingest.readers.decoding import Decoded, decode_table
from ingest.records import OrgRef, Origin, Record
from ingest.report import Reject


class MappedReader:
    """CSV, TSV or JSON Lines read through a mapping file (``load_column_mapping``).

    ``encoding`` (a codec name, from ``--encoding`` or the upload's field) wins over the mapping's
    ``input.encoding``; with neither, the encoding is detected (``ingest.readers.decoding``).
    """

    name = "mapped"

    def __init__(self, mapping_path: Path, encoding: str | None = None) -> None:
        self.mapping = load_column_mapping(mapping_path)
        self.encoding = encoding
        self.description = self.mapping.description or f"{self.mapping.record} records mapped by {mapping_path.name}"

    def sniff(self, path: Path, head: str) -> bool:
        fmt = self.mapping.format or SUFFIXES.get(path.suffix.lower())
        first = head.splitlines()[0] if head.strip() else ""
        if fmt is None or SUFFIXES.get(path.suffix.lower(), fmt) != fmt or not first:
            return False
        if fmt == "jsonl":
            return f'"{self.mapping.id_column}"' in first
        header = next(csv.reader([first], delimiter=self._delimiter(fmt)))
        return set(self.mapping.needed_columns) <= {h.strip() for h in header}

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        m = self.mapping
        fmt = m.format or SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            raise InputError(f"{source}: cannot tell the format of {path.name}; set input.format in {m.path}")
        decoded = self._decode(path, source)
        if fmt == "jsonl":
            rows = _jsonl_rows(m, decoded.text, source)
        else:
            rows = _csv_rows(m, decoded, source, self._delimiter(fmt))
        for line, row in rows:
            if isinstance(row, Reject):
                yield row
                continue
            record_id = _raw_id(row.get(m.id_column))
            fields = Fields(row, source=source, line=line, record_id=record_id)
            yield from guarded(source, line, record_id, partial(_build, m, fields))

    def _delimiter(self, fmt: str) -> str:
        return self.mapping.delimiter or ("\t" if fmt == "tsv" else ",")

    def _decode(self, path: Path, source: str) -> Decoded:
        declared = self.encoding or self.mapping.encoding
        where = "--encoding" if self.encoding else self.mapping.path.name
        try:
            data = path.read_bytes()
        except FileNotFoundError as e:
            raise InputError(f"{path}: no such file; check the path") from e
        except OSError as e:
            raise InputError(f"{path}: cannot be read ({e.strerror})") from e
        return decode_table(data, source, declared, where if declared else "")


# ---- reading rows


def _csv_rows(
    m: ColumnMapping, decoded: Decoded, source: str, delimiter: str
) -> Iterator[tuple[int, dict[str, Any] | Reject]]:
    table = iter_csv(decoded.text, source, delimiter)
    missing = [c for c in m.needed_columns if c not in table.header]
    if len(missing) == len(m.needed_columns):
        raise InputError(
            f"{source}: the header matches none of the columns of {m.path.name} when read as {decoded.described}: "
            f"columns {missing} named in {m.path} are not in the header {list(table.header)}; if the file is in "
            "another encoding, set input.encoding in the mapping or pass --encoding (e.g. gb18030, utf-8)"
        )
    if missing:
        raise InputError(
            f"{source}: columns {missing} named in {m.path} are not in the header {list(table.header)} "
            f"(read as {decoded.described}); fix the mapping or the header"
        )
    unknown = [c for c in table.header if c not in m.needed_columns and c not in m.ignore]
    if unknown and m.unknown_columns == "error":
        raise InputError(f"{source}: columns {unknown} are not in {m.path}; {_UNKNOWN_REMEDY}")
    if m.unknown_columns == "warn":
        yield from ((1, _unknown_warning(m, source, 1, None, column)) for column in unknown)
    yield from table.rows


_UNKNOWN_REMEDY = "map them in [fields], list them in input.ignore, or set input.unknown_columns to 'warn'"


def _jsonl_rows(m: ColumnMapping, text: str, source: str) -> Iterator[tuple[int, dict[str, Any] | Reject]]:
    warned: set[str] = set()
    for line, row in iter_jsonl(text, source):
        if isinstance(row, Reject) or m.unknown_columns == "ignore":
            yield line, row
            continue
        unknown = [k for k in row if k not in m.needed_columns and k not in m.ignore]
        if unknown and m.unknown_columns == "error":
            reason = f"keys {unknown} are not in {m.path}; {_UNKNOWN_REMEDY}"
            yield line, Reject(source, line, _raw_id(row.get(m.id_column)), unknown[0], reason)
            continue
        for key in (k for k in unknown if k not in warned):
            warned.add(key)
            yield line, _unknown_warning(m, source, line, _raw_id(row.get(m.id_column)), key)
        yield line, row


def _unknown_warning(m: ColumnMapping, source: str, line: int, record_id: str | None, column: str) -> Reject:
    reason = f"not in the mapping {m.path.name}, its values are ignored; list it in input.ignore to silence this"
    return Reject(source, line, record_id, column, reason, severity="warning")


def _raw_id(value: object) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return None


def _build(m: ColumnMapping, f: Fields) -> Sequence[Record]:
    record_id = f.required(m.id_column)
    values: dict[str, object] = dict(m.constants)
    for fm in m.fields:
        value = _CONVERTERS[fm.kind](fm, f)
        if fm.required and value in (None, ()):
            raise f.error(fm.column, "required value is missing")
        values[fm.target] = value
    kwargs = _assemble(m, values, f)
    if "local_id" in targets(m.record):
        kwargs.setdefault("local_id", record_id)
    if m.language is not None:
        kwargs["language"] = m.language
    record: Record = m.record_type(origin=Origin(f.source, f.line, record_id), **kwargs)
    return [record]


def _assemble(m: ColumnMapping, values: dict[str, object], f: Fields) -> dict[str, object]:
    kwargs = {k: v for k, v in values.items() if "." not in k and v is not None}
    for group in dict.fromkeys(k.split(".")[0] for k in values if "." in k):
        parts = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith(group + ".") and v is not None}
        built = _group(m, f, group, parts)
        if built is not None:
            kwargs[group] = built
    return kwargs


def _group(m: ColumnMapping, f: Fields, group: str, parts: dict[str, object]) -> object | None:
    """A Place, Contact or GrantRef; an optional one is left out when the row gives none of its parts."""
    cls = group_classes(m.record)[group]
    optional = not targets(m.record)[f"{group}.{fields(cls)[0].name}"].group_required
    constants = {name for name, _ in m.constants}
    from_row = any(f"{group}.{p}" not in constants for p in parts)
    missing = [p.name for p in fields(cls) if p.default is MISSING and p.name not in parts]
    if optional and not from_row and (missing or not parts):
        return None
    if missing:
        others = ", ".join(sorted(parts)) or "nothing else"
        raise f.error(m.column_of(f"{group}.{missing[0]}"), f"required value is missing ({group} has {others})")
    built: object = cls(**parts)
    return built


# ---- converting one value


def _text(fm: FieldMap, f: Fields) -> str | None:
    if fm.columns:
        parts = ((label, f.text(column)) for label, column in fm.columns)
        value = fm.join.join(f"{label}: {v}" if label else v for label, v in parts if v is not None) or None
    else:
        value = f.text(fm.column)
    return None if value is None else check_value(fm, f, shape_value(fm, value))


def _list(fm: FieldMap, f: Fields) -> tuple[str, ...]:
    items = f.strings(fm.column, separator=fm.split)
    return tuple(dict.fromkeys(check_value(fm, f, shape_value(fm, i)) for i in items if i not in fm.exclude))


def _date(fm: FieldMap, f: Fields) -> date | None:
    if fm.date_format is None:
        return f.iso_date(fm.column)
    text = f.text(fm.column)
    try:
        return None if text is None else datetime.strptime(text, fm.date_format).date()
    except ValueError:
        example = date(2024, 3, 31).strftime(fm.date_format)
        raise f.error(fm.column, f"expected a date like {example} ({fm.date_format}), found {text!r}") from None


def _org(fm: FieldMap, f: Fields) -> OrgRef | None:
    name = f.text(fm.column)
    parent = f.text(fm.parent_column) if fm.parent_column else fm.parent
    return org_ref(name, parent)


def _orgs(fm: FieldMap, f: Fields) -> tuple[OrgRef, ...]:
    return tuple(OrgRef(n, OrgRef(fm.parent) if fm.parent and fm.parent != n else None) for n in _list(fm, f))


def _specs(fm: FieldMap, f: Fields) -> tuple[tuple[str, str], ...]:
    return tuple((name, value) for name, column in fm.columns if (value := f.text(column)) is not None)


_CONVERTERS: dict[str, Callable[[FieldMap, Fields], object]] = {
    "text": _text,
    "iri": _text,
    "url": _text,
    "email": _text,
    "cstr": _text,
    "list": _list,
    "iris": _list,
    "integer": lambda fm, f: f.integer(fm.column),
    "boolean": lambda fm, f: f.boolean(fm.column),
    "date": _date,
    "org": _org,
    "orgs": _orgs,
    "specs": _specs,
}
