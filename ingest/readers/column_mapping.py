"""The mapping file of the ``mapped`` format: TOML that says how the columns of a table become one record type.

The mapping names one record type of ``ingest.records`` and, for the fields of that dataclass, the column (or
columns) that holds each one, with options (split a list, build an IRI from a template, name the parent
organisation, read a date format), plus constants for every row, the text encoding of the data and the language of
its text. ``load_column_mapping`` checks it against the dataclass and raises ``InputError`` naming the mapping file,
the key and what is allowed; the reader of the rows is ``ingest.readers.tabular``. The format is in docs/mapping.md.
(``ingest.mapping`` is something else: it maps records to RDF.)
"""

from __future__ import annotations

import codecs
import re
import tomllib
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import MISSING, dataclass, fields, is_dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from graph.errors import InputError, RecordError
from ingest.readers.base import Fields
from ingest.records import (
    Contact,
    Dataset,
    Expert,
    Facility,
    Grant,
    GrantRef,
    Instrument,
    Organization,
    OrgRef,
    Place,
    Subject,
)

RECORD_TYPES: dict[str, type[Any]] = {
    t.__name__: t for t in (Organization, Grant, Expert, Facility, Instrument, Dataset, Subject)
}
FORMATS = ("csv", "tsv", "jsonl")
SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
POLICIES = ("warn", "ignore", "error")
GROUPS: tuple[type[Any], ...] = (Place, Contact, GrantRef)

_URL_NAMES = {"homepage", "url", "landing_page"}
_IRI_NAMES = {"iri", "scheme"}
_IRI_LIST_NAMES = {"broader", "subjects"}
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_SHAPING = {"template", "replace"}
#: China's science and technology resource identifier (GB/T 32843): "CSTR:", the registration agency's code, the
#: resource type's code, then the agency's own id, e.g. CSTR:16666.11.nbsdc.9x4kw (the prefix may be left out).
_CSTR = re.compile(r"^(?:CSTR:)?([0-9]{5}\.[0-9]{2}\.[^\s]+)$", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
OPTIONS: dict[str, set[str]] = {
    "text": {*_SHAPING, "columns", "join"},
    "iri": _SHAPING,
    "cstr": set(),
    "url": _SHAPING,
    "email": set(),
    "integer": set(),
    "boolean": set(),
    "date": {"format"},
    "list": {"split", "exclude", *_SHAPING},
    "iris": {"split", "exclude", *_SHAPING},
    "org": {"parent_column", "parent"},
    "orgs": {"split", "parent"},
    "specs": set(),
}
_TOP_KEYS = {"description", "input", "fields", "constants"}
_INPUT_KEYS = {"format", "delimiter", "record", "id", "unknown_columns", "ignore", "encoding", "language"}
#: Fields the reader fills from ``[input]`` rather than from a column: ``origin`` (source, line, id), ``language``.
_NOT_TARGETS = {"origin", "language"}


@dataclass(frozen=True, slots=True)
class Target:
    """A field of a record type that a mapping can fill.

    Parts of Place, Contact and GrantRef have dotted names (``place.city``); for them ``required``
    means required whenever the group is given, and ``group_required`` that the record needs the group.
    """

    name: str
    kind: str
    required: bool
    group_required: bool = False


@dataclass(frozen=True, slots=True)
class FieldMap:
    """How one target is read from a row."""

    target: str
    kind: str
    column: str = ""
    required: bool = False
    split: str | None = None
    template: str | None = None
    replace: tuple[tuple[str, str], ...] = ()
    exclude: frozenset[str] = frozenset()
    parent_column: str | None = None
    parent: str | None = None
    date_format: str | None = None
    columns: tuple[tuple[str, str], ...] = ()  # (name, column): a spec's name, or a text part's label ("" for none)
    join: str = "\n"  # between the parts of a text read from several columns

    @property
    def used_columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.column, self.parent_column, *(c for _, c in self.columns)) if c)


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """A checked mapping file: which record type, which column is the id, how each field is read."""

    path: Path
    record: str
    id_column: str
    fields: tuple[FieldMap, ...]
    constants: tuple[tuple[str, object], ...] = ()
    format: str | None = None
    delimiter: str | None = None
    unknown_columns: str = "warn"
    ignore: frozenset[str] = frozenset()
    description: str | None = None
    encoding: str | None = None  # a Python codec name; None: detected (ingest.readers.decoding)
    language: str | None = None  # BCP 47 tag of the records' text, e.g. "zh"

    @property
    def record_type(self) -> type[Any]:
        return RECORD_TYPES[self.record]

    @property
    def needed_columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.id_column, *(c for m in self.fields for c in m.used_columns)]))

    def column_of(self, target: str) -> str:
        return next((m.column for m in self.fields if m.target == target and m.column), target)


# ---- checking one value (here because constants are checked as the rows are)


def shape_value(fm: FieldMap, value: str) -> str:
    for old, new in fm.replace:
        value = value.replace(old, new)
    return fm.template.replace("{value}", value) if fm.template else value


def check_value(fm: FieldMap, f: Fields, value: str) -> str:
    if fm.kind in ("iri", "iris") and not _IRI.match(value):
        raise f.error(fm.column, f"expected an absolute IRI such as https://example.org/x, found {value!r}")
    if fm.kind == "cstr":
        found = _CSTR.match(value.replace(" ", ""))
        if found is None:
            raise f.error(fm.column, f"expected a CSTR identifier such as CSTR:16666.11.nbsdc.9x4kw, found {value!r}")
        return f"CSTR:{found.group(1)}"
    shaped = Fields({fm.column: value}, source=f.source, line=f.line, record_id=f.record_id)
    checked = shaped.url(fm.column) if fm.kind == "url" else shaped.email(fm.column) if fm.kind == "email" else value
    return checked or value


def org_ref(name: str | None, parent: str | None) -> OrgRef | None:
    if name and parent and name != parent:
        return OrgRef(name, OrgRef(parent))
    only = name or parent
    return OrgRef(only) if only else None


# ---- the targets of a record type


@cache
def targets(record: str) -> dict[str, Target]:
    """Every field of the record type named ``record`` that a mapping can fill, by (dotted) name."""
    record_type = RECORD_TYPES[record]
    hints = get_type_hints(record_type)
    found: dict[str, Target] = {}
    for f in fields(record_type):
        required = f.default is MISSING and f.default_factory is MISSING
        group = _group_type(hints[f.name])
        if group is not None:
            for part in fields(group):
                kind = _kind(part.name, get_type_hints(group)[part.name])
                name = f"{f.name}.{part.name}"
                found[name] = Target(name, kind or "text", part.default is MISSING, required)
        elif (kind := _kind(f.name, hints[f.name])) is not None and f.name not in _NOT_TARGETS:
            found[f.name] = Target(f.name, kind, required)
    return found


def _kind(name: str, hint: Any) -> str | None:
    base = _without_none(hint)
    if base is str:
        return _text_kind(name)
    simple = {int: "integer", bool: "boolean", date: "date", OrgRef: "org"}
    if base in simple:
        return simple[base]
    if get_origin(base) is tuple:
        item = get_args(base)[0]
        lists = {str: "iris" if name in _IRI_LIST_NAMES else "list", OrgRef: "orgs", tuple[str, str]: "specs"}
        return lists.get(item)
    return None


def _text_kind(name: str) -> str:
    if name in _URL_NAMES:
        return "url"
    if name == "email":
        return "email"
    if name == "cstr":
        return "cstr"
    return "iri" if name in _IRI_NAMES else "text"


def _without_none(hint: Any) -> Any:
    if get_origin(hint) in (Union, types.UnionType):
        rest = [a for a in get_args(hint) if a is not type(None)]
        return rest[0] if len(rest) == 1 else hint
    return hint


@cache
def group_classes(record: str) -> dict[str, type[Any]]:
    hints = get_type_hints(RECORD_TYPES[record])
    return {name: cls for name, hint in hints.items() if (cls := _group_type(hint)) is not None}


def _group_type(hint: Any) -> type[Any] | None:
    base = _without_none(hint)
    return base if isinstance(base, type) and is_dataclass(base) and base in GROUPS else None


# ---- loading and checking a mapping file


def load_column_mapping(path: Path) -> ColumnMapping:
    """Read and check a mapping file; every mistake is an ``InputError`` naming the file and the key."""
    data = _toml(path)
    _only(path, "", data, _TOP_KEYS)
    inp = _table(path, "input", data.get("input"), required=True)
    _only(path, "input", inp, _INPUT_KEYS)
    record = _choice(path, "input.record", inp.get("record"), list(RECORD_TYPES))
    known = targets(record)
    field_maps = _field_maps(path, record, _table(path, "fields", data.get("fields")), known)
    constants = _constants(path, record, _table(path, "constants", data.get("constants")), known, field_maps)
    _check_required(path, record, known, {m.target for m in field_maps} | {k for k, _ in constants})
    fmt = _choice(path, "input.format", inp.get("format"), list(FORMATS), required=False)
    policy = _choice(path, "input.unknown_columns", inp.get("unknown_columns", "warn"), list(POLICIES))
    mapping = ColumnMapping(
        path=path,
        record=record,
        id_column=_string(path, "input.id", inp.get("id")),
        fields=field_maps,
        constants=constants,
        format=fmt,
        delimiter=_delimiter(path, inp.get("delimiter"), fmt),
        unknown_columns=policy,
        ignore=frozenset(_strings(path, "input.ignore", inp.get("ignore", []))),
        description=_string(path, "description", data.get("description"), required=False),
        encoding=encoding_name(inp.get("encoding"), lambda problem: _fail(path, "input.encoding", problem)),
        language=_language(path, record, inp.get("language")),
    )
    _check_ignored(mapping)
    return mapping


def encoding_name(value: object, fail: Callable[[str], Exception]) -> str | None:
    """A text encoding's canonical codec name, or None when not given; ``fail(problem)`` is raised otherwise.

    >>> encoding_name("GBK", ValueError), encoding_name("utf8", ValueError), encoding_name(None, ValueError)
    ('gbk', 'utf-8', None)
    >>> encoding_name("big-5x", ValueError)
    Traceback (most recent call last):
    ...
    ValueError: unknown encoding 'big-5x'; use a name such as utf-8, gb18030, gbk, utf-16
    """
    if value is None:
        return None
    try:
        info = codecs.lookup(value) if isinstance(value, str) and value.strip() else None
    except LookupError:
        info = None
    if info is None or not isinstance(codecs.encode("", info.name), bytes):
        raise fail(f"unknown encoding {value!r}; use a name such as utf-8, gb18030, gbk, utf-16")
    return info.name


def _language(path: Path, record: str, value: object) -> str | None:
    if value is None:
        return None
    if "language" not in {f.name for f in fields(RECORD_TYPES[record])}:
        raise _fail(path, "input.language", f"{record} records do not carry a language; remove it")
    if not isinstance(value, str) or not _LANGUAGE.match(value):
        raise _fail(path, "input.language", f"expected a language tag such as 'zh' or 'en', found {value!r}")
    return value


def _fail(path: Path, key: str, problem: str) -> InputError:
    return InputError(f"{path}: {key}: {problem}" if key else f"{path}: {problem}")


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise InputError(f"{path}: no such mapping file; check the path") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: not valid TOML: {e}") from None


def _only(path: Path, key: str, table: dict[str, Any], allowed: set[str]) -> None:
    for name in table:
        if name not in allowed:
            where = f"{key}.{name}" if key else name
            raise _fail(path, where, f"unknown key; allowed here: {', '.join(sorted(allowed))}")


def _table(path: Path, key: str, value: object, required: bool = False) -> dict[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise _fail(path, key, "missing; add a [" + key + "] table" if value is None else "expected a table")
    return value


def _choice(path: Path, key: str, value: object, allowed: list[str], required: bool = True) -> Any:
    if value is None and not required:
        return None
    if value not in allowed:
        found = "missing" if value is None else f"{value!r} is not allowed"
        raise _fail(path, key, f"{found}; use one of {', '.join(allowed)}")
    return value


def _string(path: Path, key: str, value: object, required: bool = True) -> Any:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, "missing; expected text" if value is None else f"expected text, found {value!r}")
    return value


def _strings(path: Path, key: str, value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(path, key, f"expected a list of texts, found {value!r}")
    return value


def _delimiter(path: Path, value: object, fmt: str | None) -> str | None:
    if value is None:
        return None
    if fmt == "jsonl":
        raise _fail(path, "input.delimiter", "only CSV and TSV have a delimiter; remove it")
    if not isinstance(value, str) or len(value) != 1:
        raise _fail(path, "input.delimiter", f"expected one character such as ',' or ';', found {value!r}")
    return value


def _flatten(table: dict[str, Any], known: dict[str, Target]) -> Iterator[tuple[str, Any]]:
    """``[fields.place] city = …`` and ``"place.city" = …`` are the same target."""
    groups = {name.split(".")[0] for name in known if "." in name}
    for key, value in table.items():
        if key in groups and isinstance(value, dict):
            yield from ((f"{key}.{sub}", v) for sub, v in value.items())
        else:
            yield key, value


def _target(path: Path, key: str, record: str, name: str, known: dict[str, Target]) -> Target:
    if name in known:
        return known[name]
    groups = sorted({n.split(".")[0] for n in known if "." in n})
    if name == "origin":
        raise _fail(path, key, "the reader sets the origin (source, line, id) itself; remove it")
    if name == "language" and name in {f.name for f in fields(RECORD_TYPES[record])}:
        raise _fail(path, key, "the language of the records' text is input.language; set it there")
    if name in groups:
        parts = ", ".join(n for n in known if n.startswith(name + "."))
        raise _fail(path, key, f"{name} has parts; map them one by one: {parts}")
    if name in {f.name for f in fields(RECORD_TYPES[record])}:
        raise _fail(path, key, f"{record}.{name} holds nested records and cannot be read from a column")
    raise _fail(path, key, f"{record} has no field {name!r}; fields: {', '.join(known)}")


def _field_maps(path: Path, record: str, table: dict[str, Any], known: dict[str, Target]) -> tuple[FieldMap, ...]:
    maps = [
        _field_map(path, f"fields.{name}", _target(path, f"fields.{name}", record, name, known), spec)
        for name, spec in _flatten(table, known)
    ]
    targets_seen = [m.target for m in maps]
    for name in {t for t in targets_seen if targets_seen.count(t) > 1}:
        raise _fail(path, f"fields.{name}", "given twice (as a dotted key and in a table); keep one")
    seen: dict[str, str] = {}
    for m in maps:
        for column in m.used_columns:
            if column in seen:
                raise _fail(path, f"fields.{m.target}", f"column {column!r} is already read by fields.{seen[column]}")
            seen[column] = m.target
    return tuple(maps)


def _field_map(path: Path, key: str, target: Target, spec: object) -> FieldMap:
    options = {"column": spec} if isinstance(spec, str) else spec
    if not isinstance(options, dict):
        raise _fail(path, key, f"expected a column name or a table of options, found {spec!r}")
    allowed = {"columns"} if target.kind == "specs" else {"column", *OPTIONS[target.kind]}
    _only(path, key, options, allowed)
    if options.get("parent") is not None and options.get("parent_column") is not None:
        raise _fail(path, key, "give parent or parent_column, not both")
    if "columns" in options and "column" in options and target.kind != "specs":
        raise _fail(path, key, "give column (one column) or columns (several, joined), not both")
    if "join" in options and "columns" not in options:
        raise _fail(path, f"{key}.join", "join goes with columns (several columns); remove it or give columns")
    if target.kind == "text" and "columns" in options:
        return _joined_text(path, key, target, options)
    return FieldMap(
        target=target.name,
        kind=target.kind,
        required=target.required and "." not in target.name,
        column=_string(path, f"{key}.column", options.get("column"), required=target.kind != "specs") or "",
        split=_string(path, f"{key}.split", options.get("split"), required=False),
        template=_template(path, f"{key}.template", options.get("template")),
        replace=_pairs(path, f"{key}.replace", options.get("replace", {})),
        exclude=frozenset(_strings(path, f"{key}.exclude", options.get("exclude", []))),
        parent_column=_string(path, f"{key}.parent_column", options.get("parent_column"), required=False),
        parent=_string(path, f"{key}.parent", options.get("parent"), required=False),
        date_format=_date_format(path, f"{key}.format", options.get("format")),
        columns=_pairs(path, f"{key}.columns", options.get("columns", {}), required=target.kind == "specs"),
    )


def _joined_text(path: Path, key: str, target: Target, options: dict[str, Any]) -> FieldMap:
    """A text read from several columns: a list of columns, or a table of label = column (written "label: value")."""
    value = options["columns"]
    if isinstance(value, list):
        parts = tuple(("", c) for c in _strings(path, f"{key}.columns", value))
    else:
        parts = _pairs(path, f"{key}.columns", value)
    if not parts:
        raise _fail(path, f"{key}.columns", "empty; give the columns to join")
    return FieldMap(
        target=target.name,
        kind=target.kind,
        required=target.required and "." not in target.name,
        columns=parts,
        join=_join(path, f"{key}.join", options.get("join", "\n")),
        template=_template(path, f"{key}.template", options.get("template")),
        replace=_pairs(path, f"{key}.replace", options.get("replace", {})),
    )


def _join(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(path, key, f"expected the text that goes between the parts, such as '\\n' or '; ', found {value!r}")
    return value


def _template(path: Path, key: str, value: object) -> str | None:
    template: str | None = _string(path, key, value, required=False)
    if template is not None and "{value}" not in template:
        raise _fail(path, key, f"a template needs {{value}} where the column's value goes, found {template!r}")
    return template


def _pairs(path: Path, key: str, value: object, required: bool = False) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _fail(path, key, f"expected a table of texts, found {value!r}")
    if required and not value:
        raise _fail(path, key, "missing; give a table of name = column")
    return tuple((str(k), str(v)) for k, v in value.items())


def _date_format(path: Path, key: str, value: object) -> str | None:
    fmt: str | None = _string(path, key, value, required=False)
    if fmt is not None and "%" not in fmt:
        raise _fail(path, key, f"expected a strptime format such as '%d/%m/%Y', found {fmt!r}")
    return fmt


def _constants(
    path: Path, record: str, table: dict[str, Any], known: dict[str, Target], maps: Sequence[FieldMap]
) -> tuple[tuple[str, object], ...]:
    mapped = {m.target for m in maps}
    found = []
    for name, value in _flatten(table, known):
        target = _target(path, f"constants.{name}", record, name, known)
        if name in mapped:
            raise _fail(path, f"constants.{name}", "also read from a column in [fields]; keep one of the two")
        found.append((name, _constant(path, f"constants.{name}", target, value)))
    return tuple(found)


def _constant(path: Path, key: str, target: Target, value: object) -> object:
    try:
        return _CONSTANTS[target.kind](target, value)
    except (RecordError, TypeError, ValueError) as e:
        reason = e.reason if isinstance(e, RecordError) else str(e)
        raise _fail(path, key, f"{reason} (a {target.kind} value)") from None


def _constant_text(target: Target, value: object) -> str:
    fm = FieldMap(target.name, target.kind, column=target.name)
    text = Fields({target.name: value}, source="", line=0, record_id=None).text(target.name)
    if text is None:
        raise ValueError(f"expected text, found {value!r}")
    return check_value(fm, Fields({}, source="", line=0, record_id=None), text)


def _constant_typed(target: Target, value: object) -> object:
    raw = value.isoformat() if isinstance(value, date) else value
    fields_ = Fields({target.name: raw}, source="", line=0, record_id=None)
    read = {"integer": fields_.integer, "boolean": fields_.boolean, "date": fields_.iso_date}[target.kind]
    result = read(target.name)
    if result is None:
        raise ValueError(f"expected a {target.kind} value, found {value!r}")
    return result


def _constant_list(target: Target, value: object) -> tuple[Any, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"expected a list of texts, found {value!r}")
    texts = tuple(
        _constant_text(Target(target.name, "iri" if target.kind == "iris" else "text", False), i) for i in items
    )
    return tuple(OrgRef(t) for t in texts) if target.kind == "orgs" else texts


def _constant_org(target: Target, value: object) -> OrgRef:
    if isinstance(value, str) and value.strip():
        return OrgRef(value.strip())
    if isinstance(value, dict) and set(value) <= {"name", "parent"} and isinstance(value.get("name"), str):
        parent = value.get("parent")
        ref = org_ref(value["name"].strip(), parent.strip() if isinstance(parent, str) else None)
        if ref is not None:
            return ref
    raise ValueError(f"expected an organisation name or {{ name = …, parent = … }}, found {value!r}")


def _constant_specs(target: Target, value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"expected a table of name = value texts, found {value!r}")
    return tuple((str(k), str(v)) for k, v in value.items())


_CONSTANTS: dict[str, Callable[[Target, object], object]] = {
    "text": _constant_text,
    "iri": _constant_text,
    "url": _constant_text,
    "email": _constant_text,
    "cstr": _constant_text,
    "integer": _constant_typed,
    "boolean": _constant_typed,
    "date": _constant_typed,
    "list": _constant_list,
    "iris": _constant_list,
    "orgs": _constant_list,
    "org": _constant_org,
    "specs": _constant_specs,
}


def _check_required(path: Path, record: str, known: dict[str, Target], given: set[str]) -> None:
    groups_used = {name.split(".")[0] for name in given if "." in name}
    for t in known.values():
        group = t.name.split(".")[0] if "." in t.name else None
        needed = t.required and (group is None or t.group_required or group in groups_used)
        if needed and t.name not in given and t.name != "local_id":
            raise _fail(path, "fields", f"{record} needs {t.name}; read it from a column or set it in [constants]")


def _check_ignored(m: ColumnMapping) -> None:
    both = sorted(m.ignore & set(m.needed_columns))
    if both:
        raise _fail(m.path, "input.ignore", f"columns {both} are read by the mapping and cannot be ignored too")
