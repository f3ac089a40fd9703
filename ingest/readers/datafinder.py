"""DataFinder dataset collection: Papers-with-Code dataset descriptions, one JSON object per line.

Each line becomes a ``Dataset``: ``id`` is the local id (kept as given; DataFinder compares ids after
``"_".join(id.split())``), ``name`` the title, ``variants`` other than the name the alternative names,
``source_paper_title`` the paper that introduced it. ``description`` is kept as text, except that
Papers-with-Code attribution lines (``Source: [title](link)``, ``Image Source: …``, ``Audio Source: …``)
are taken out when their link is usable; the ``Source:`` link becomes the landing page, a relative
``/paper/…`` link resolved against paperswithcode.com. An attribution whose link is not a URL stays in
the text. An empty description is allowed (a few datasets have none). ``alt_source_paper_titles`` is
not kept: the source says these are sometimes wrong. A repeated ``id`` is rejected, the first one wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ingest.readers.base import Fields, ReadItem, guarded, iter_jsonl, read_text
from ingest.records import Dataset, Origin, Record
from ingest.report import Reject

KEYS = {"id", "name", "description", "source_paper_title", "alt_source_paper_titles", "variants"}
PAPERS_WITH_CODE = "https://paperswithcode.com"

_ATTRIBUTION = re.compile(r"^[ \t]*(?:(Image|Audio|Paper) +)?[Ss]ource *: *\[.*\]\((\S+)\)[ \t]*$", re.M)
_ABSOLUTE = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_RELATIVE = re.compile(r"^/[^\s/][^\s]*$")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


@dataclass(frozen=True, slots=True)
class Description:
    text: str | None
    landing_page: str | None


class DataFinderReader:
    name = "datafinder"
    description = "DataFinder / Papers-with-Code dataset descriptions (JSONL)"

    def sniff(self, path: Path, head: str) -> bool:
        keys = ('"id"', '"source_paper_title"', '"variants"')
        is_jsonl = path.suffix.lower() == ".jsonl" and head.lstrip().startswith("{")
        return is_jsonl and all(k in head for k in keys)

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        seen: dict[str, int] = {}
        unknown: set[str] = set()
        for line, row in iter_jsonl(read_text(path), source):
            if isinstance(row, Reject):
                yield row
                continue
            fields = Fields(row, source=source, line=line, record_id=_raw_id(row))
            yield from _unknown_keys(row.keys() - KEYS - unknown, fields)
            unknown |= row.keys() - KEYS
            yield from guarded(source, line, fields.record_id, partial(_records, fields, seen))


def _raw_id(row: dict[str, object]) -> str | None:
    value = row.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _unknown_keys(keys: set[str], f: Fields) -> Iterator[Reject]:
    """A warning the first time each key the format does not define appears."""
    for key in sorted(keys):
        yield Reject(f.source, f.line, f.record_id, key, "unknown key, its values are ignored", "warning")


def _records(f: Fields, seen: dict[str, int]) -> Sequence[Record]:
    local_id = f.required("id")
    if local_id in seen:
        raise f.error("id", f"duplicate id, first given at line {seen[local_id]}; this record is skipped")
    title = f.required("name")
    description = split_description(f.text("description"))
    record = Dataset(
        origin=Origin(f.source, f.line, local_id),
        local_id=local_id,
        title=title,
        description=description.text,
        landing_page=description.landing_page,
        alt_names=tuple(v for v in f.strings("variants") if v != title),
        source_paper_title=f.text("source_paper_title"),
    )
    seen[local_id] = f.line
    return [record]


def split_description(text: str | None) -> Description:
    """The description without its usable attribution lines, and the ``Source:`` link as a URL."""
    if text is None:
        return Description(None, None)
    landing_page: str | None = None
    for match in reversed(list(_ATTRIBUTION.finditer(text))):
        url = _url(match.group(2))
        if url is not None:
            text = text[: match.start()] + text[match.end() :]
            landing_page = url if match.group(1) is None else landing_page
    cleaned = _BLANK_LINES.sub("\n\n", text).strip()
    return Description(cleaned or None, landing_page)


def _url(link: str) -> str | None:
    if _ABSOLUTE.match(link):
        return link
    if _RELATIVE.match(link):
        return PAPERS_WITH_CODE + link
    return None
