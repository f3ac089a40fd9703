"""What every reader shares: decoding, tolerant CSV and JSONL row iteration, typed field access.

A reader turns one input file into ``Record`` objects and ``Reject`` objects (rejected rows and
file-level warnings). It never raises for a bad row: the row becomes a ``Reject`` naming the
line, the record id and the field, and reading goes on. Only an input that cannot be read at all
(missing file, a format we do not know) raises ``InputError``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from graph.errors import InputError, RecordError
from ingest.records import Record
from ingest.report import Reject

ReadItem = Record | Reject

#: Longest a quoted CSV field may run over physical lines before we call the quote unclosed.
MAX_CSV_RECORD_LINES = 200
#: Longest a CSV field may be (the csv module's limit): longer ones are rejected as too long, saying so.
MAX_CSV_FIELD = csv.field_size_limit()
#: The reason given for JSON nested deeper than the parser's recursion limit.
TOO_DEEP = "the JSON is nested too deeply to read (over about 1,000 levels); flatten it"

_SURROGATE = re.compile("[\udc80-\udcff]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(https?|ftp)://[^\s]+$", re.IGNORECASE)


class Reader(Protocol):
    """A source format: ``read`` yields records and problems; ``sniff`` says whether a file looks like it."""

    name: str
    description: str

    def read(self, path: Path, source: str) -> Iterator[ReadItem]: ...

    def sniff(self, path: Path, head: str) -> bool: ...


def read_text(path: Path) -> str:
    """The file's text; bytes that are not UTF-8 survive as lone surrogates so the row holding them is rejected.
    A UTF-16 or UTF-32 file is refused whole, saying so (read as UTF-8 it would look like a missing header)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file; check the path") from e
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from e
    check_encoding(data[:4096], path.name)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="surrogateescape")


def check_encoding(head: bytes, name: str) -> None:
    """Raise ``InputError`` when ``head`` (a file's first bytes) is UTF-16 or UTF-32: a byte-order mark of either, or
    NUL bytes, which UTF-8 text never holds.

    >>> check_encoding("ID,Name".encode("utf-16"), "e.csv")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: e.csv: the file is UTF-16 (or UTF-32), not UTF-8; re-save it as UTF-8
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or b"\x00" in head:
        raise InputError(f"{name}: the file is UTF-16 (or UTF-32), not UTF-8; re-save it as UTF-8")


def head_text(path: Path, size: int = 4096) -> str:
    """The first bytes of a file as text, for format sniffing (a UTF-16 file is refused here, naming its encoding)."""
    with path.open("rb") as f:
        data = f.read(size)
    check_encoding(data, path.name)
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def iter_jsonl(text: str, source: str) -> Iterator[tuple[int, dict[str, Any] | Reject]]:
    """(line number, object or problem) for every non-blank line."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        if _SURROGATE.search(line):
            yield number, Reject(source, number, None, None, "line is not valid UTF-8; re-save the file as UTF-8")
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            yield number, Reject(source, number, None, None, f"invalid JSON at column {e.colno}: {e.msg}")
            continue
        except RecursionError:
            yield number, Reject(source, number, None, None, TOO_DEEP)
            continue
        if not isinstance(value, dict):
            kind = type(value).__name__
            yield number, Reject(source, number, None, None, f"expected a JSON object, found {kind}")
            continue
        yield number, value


@dataclass(frozen=True, slots=True)
class CsvTable:
    header: tuple[str, ...]
    rows: Iterator[tuple[int, dict[str, str] | Reject]]


def iter_csv(text: str, source: str, delimiter: str = ",") -> CsvTable:
    """Header and (line, row or problem) pairs; a row with an unclosed quote or the wrong number of
    fields is reported at the line where it starts, and parsing resumes on the next line."""
    lines = physical_lines(text)
    if not lines:
        raise InputError(f"{source}: the file is empty; a CSV file needs a header row")
    try:
        header = tuple(h.strip() for h in next(csv.reader([lines[0]], delimiter=delimiter, strict=True)))
    except csv.Error as e:
        raise InputError(f"{source}: line 1: the header row cannot be read: {_csv_reason(e)}") from None
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"{source}: line 1: duplicate column names {dupes}; rename them")
    return CsvTable(header, _csv_rows(lines, header, source, delimiter))


def physical_lines(text: str) -> list[str]:
    """Lines ended by ``\n`` only (a stray ``\r`` inside a value must not shift the line numbers)."""
    lines = [line + "\n" for line in text.split("\n")]
    if lines and lines[-1] == "\n":
        lines.pop()
    return lines


def _csv_rows(
    lines: Sequence[str], header: tuple[str, ...], source: str, delimiter: str
) -> Iterator[tuple[int, dict[str, str] | Reject]]:
    i = 1
    while i < len(lines):
        start = i
        if not lines[i].strip():
            i += 1
            continue
        chunk = lines[i]
        i += 1
        while chunk.count('"') % 2 == 1 and i < len(lines) and i - start < MAX_CSV_RECORD_LINES:
            chunk += lines[i]
            i += 1
        line_no = start + 1
        if chunk.count('"') % 2 == 1:
            yield line_no, Reject(source, line_no, None, None, "unclosed quote: the row's quoting is broken")
            i = start + 1
            continue
        try:
            values = next(csv.reader(io.StringIO(chunk), delimiter=delimiter, strict=True))
        except csv.Error as e:
            yield line_no, Reject(source, line_no, None, None, _csv_reason(e))
            continue
        if len(values) != len(header):
            yield (
                line_no,
                Reject(
                    source,
                    line_no,
                    values[0] if values else None,
                    None,
                    f"row has {len(values)} fields but the header has {len(header)}; check delimiters and quoting",
                ),
            )
            continue
        yield line_no, dict(zip(header, values, strict=True))


def _csv_reason(error: csv.Error) -> str:
    """The csv module's error in words that say what to fix."""
    message = str(error)
    if "field larger than field limit" in message:
        return f"a field is longer than the limit of {MAX_CSV_FIELD:,} characters; shorten it"
    if "new-line character seen in unquoted field" in message:
        return "a carriage return (or line break) inside an unquoted field; quote the field or remove it"
    return f"broken CSV quoting: {message}"


def unknown_columns(header: Sequence[str], known: set[str], source: str) -> list[Reject]:
    """A warning per column the format does not define (its values are ignored, never guessed at)."""
    return [
        Reject(source, 1, None, column, "unknown column, its values are ignored", severity="warning")
        for column in header
        if column not in known
    ]


class Fields:
    """Typed access to one raw row; every failure is a ``RecordError`` naming the field.

    >>> row = Fields({"amount": "12x"}, source="s", line=3, record_id="r1")
    >>> row.integer("amount")
    Traceback (most recent call last):
    ...
    graph.errors.RecordError: s, line 3: record 'r1' field 'amount' expected a whole number, found '12x'
    """

    def __init__(self, raw: Mapping[str, Any], *, source: str, line: int, record_id: str | None) -> None:
        self.raw = raw
        self.source = source
        self.line = line
        self.record_id = record_id

    def error(self, name: str | None, reason: str) -> RecordError:
        return RecordError(reason, source=self.source, line=self.line, record_id=self.record_id, field=name)

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(name, "required value is missing")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.error(name, f"expected text, found {type(value).__name__}")
        result = str(value).strip()
        if _SURROGATE.search(result):
            raise self.error(name, "value is not valid UTF-8; re-save the file as UTF-8")
        return result

    def required(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def integer(self, name: str) -> int | None:
        value = self.raw.get(name)
        if isinstance(value, bool):
            raise self.error(name, f"expected a whole number, found {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = self.text(name)
        if text is None:
            return None
        try:
            return int(text.replace(",", ""))
        except ValueError:
            raise self.error(name, f"expected a whole number, found {text!r}") from None

    def boolean(self, name: str) -> bool | None:
        value = self.raw.get(name)
        if isinstance(value, bool):
            return value
        text = self.text(name)
        if text is None:
            return None
        lowered = text.lower()
        if lowered in {"true", "yes", "1", "y"}:
            return True
        if lowered in {"false", "no", "0", "n"}:
            return False
        raise self.error(name, f"expected true or false, found {text!r}")

    def iso_date(self, name: str) -> date | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise self.error(name, f"expected a date as YYYY-MM-DD, found {text!r}") from None

    def url(self, name: str) -> str | None:
        text = self.text(name)
        if text is not None and not _URL.match(text):
            raise self.error(name, f"expected an http(s) URL, found {text!r}")
        return text

    def email(self, name: str) -> str | None:
        text = self.text(name)
        if text is not None and not _EMAIL.match(text):
            raise self.error(name, f"expected an e-mail address, found {text!r}")
        return text

    def strings(self, name: str, *, separator: str | None = None) -> tuple[str, ...]:
        """A list field: a JSON array of strings, or text split on ``separator``."""
        value = self.raw.get(name)
        if value is None:
            return ()
        if isinstance(value, list):
            items: list[str] = []
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    raise self.error(f"{name}[{i}]", f"expected text, found {type(item).__name__}")
                if item.strip():
                    items.append(item.strip())
            return tuple(dict.fromkeys(items))
        text = self.text(name)
        if text is None:
            return ()
        if separator is None:
            return (text,)
        return tuple(dict.fromkeys(p.strip() for p in text.split(separator) if p.strip()))

    def objects(self, name: str) -> list[Mapping[str, Any]]:
        """A list of JSON objects (e.g. an expert's awards)."""
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(name, "expected a list of objects")
        return value

    def nested(self, name: str, index: int, raw: Mapping[str, Any]) -> Fields:
        """Fields of a nested object, whose errors name ``name[index].field``."""
        return _NestedFields(raw, parent=self, prefix=f"{name}[{index}].")


class _NestedFields(Fields):
    def __init__(self, raw: Mapping[str, Any], *, parent: Fields, prefix: str) -> None:
        super().__init__(raw, source=parent.source, line=parent.line, record_id=parent.record_id)
        self.prefix = prefix

    def error(self, name: str | None, reason: str) -> RecordError:
        return super().error(f"{self.prefix}{name}" if name else self.prefix.rstrip("."), reason)


def guarded(
    problem_source: str, line: int, record_id: str | None, build: Callable[[], Sequence[Record]]
) -> Iterator[ReadItem]:
    """Run one row's ``build``; a ``RecordError`` becomes a Reject and the row yields nothing else."""
    try:
        records = build()
    except RecordError as e:
        p = e
        yield Reject(problem_source, p.line or line, p.record_id or record_id, p.field, p.reason)
        return
    yield from records
