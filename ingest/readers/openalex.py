"""OpenAlex researcher profiles with their works: ``authors.jsonl`` and ``works.jsonl`` beside it.

Each author line becomes an ``Expert`` carrying its works (title, abstract, year, DOI, venue, topics)
looked up by id in ``works.jsonl``; a listed work missing there is a warning and the author still loads.
Affiliations become ``Organization`` records (name, ROR id, country code), the current institution
first, the others by the latest year the author was there. Keywords are the author's OpenAlex topics
and the research units and programme of the member lists. Problems in ``works.jsonl`` are reported
under the same source, with that file's line and a reason naming the file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from graph.errors import InputError, RecordError
from ingest.readers.base import Fields, ReadItem, guarded, iter_jsonl, read_text
from ingest.records import Expert, Organization, OrgRef, Origin, Place, Record, Work
from ingest.report import Reject

WORKS_FILE = "works.jsonl"
#: OpenAlex work types and the output kinds of ``Work.kind``; any other type is an ``other`` output.
KINDS = {
    "article": "paper",
    "review": "paper",
    "preprint": "paper",
    "book-chapter": "paper",
    "book": "paper",
    "dissertation": "paper",
    "report": "paper",
    "letter": "paper",
    "editorial": "paper",
    "reference-entry": "paper",
    "standard": "paper",
    "dataset": "dataset",
    "software": "software",
}

_OPENALEX_ID = {letter: re.compile(rf"^(?:https://openalex\.org/)?({letter}\d+)$", re.IGNORECASE) for letter in "AW"}
_ORCID = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.IGNORECASE)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_ROR = re.compile(r"^(?:https?://ror\.org/)?(0[a-z0-9]{6}\d{2})$", re.IGNORECASE)
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_INLINE_TAG = re.compile(r"</?(?:sub|sup|scp)(?:\s[^<>]*)?/?>", re.IGNORECASE)
_OTHER_TAG = re.compile(
    r"</?(?:i|b|u|em|strong|italic|bold|span|a|p|br|div|li|ul|ol|title|subtitle|h\d|mml:\w+|jats:[\w-]+)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Works:
    """The works of ``works.jsonl`` by id, and the first line of every id, loaded or rejected."""

    present: bool = True
    found: dict[str, Work] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def add(self, f: Fields) -> Reject | None:
        first = self.lines.setdefault(f.record_id, f.line) if f.record_id else f.line
        if first != f.line:
            return Reject.of(f.error("work_id", f"the work is already on line {first}; this line is ignored"))
        try:
            work = _work(f)
        except RecordError as e:
            return Reject.of(e)
        self.found[work.local_id] = work
        return None


@dataclass(frozen=True, slots=True)
class _Affiliation:
    organization: Organization
    latest: int


class OpenAlexReader:
    name = "openalex"
    description = "OpenAlex authors with their works (authors.jsonl, works.jsonl beside it)"

    def sniff(self, path: Path, head: str) -> bool:
        keys = ('"author_id"', '"name_alternatives"', '"orcid"')
        return head.lstrip().startswith("{") and all(k in head for k in keys)

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        text = read_text(path)
        if '"author_id"' not in text:
            raise InputError(f'{source}: not an OpenAlex authors file, no line has an "author_id"')
        works = yield from _read_works(path.with_name(WORKS_FILE), source)
        organizations: set[str] = set()
        for line, row in iter_jsonl(text, source):
            if isinstance(row, Reject):
                yield row
                continue
            f = Fields(row, source=source, line=line, record_id=_local_id(row, "author_id", "A"))
            loaded = list(guarded(source, line, f.record_id, partial(_records, f, works)))
            yield from (i for i in loaded if _fresh(i, organizations))
            if works.present and any(isinstance(i, Expert) for i in loaded):
                yield from _missing_works(f, works)


def _fresh(item: ReadItem, organizations: set[str]) -> bool:
    if not isinstance(item, Organization):
        return True
    known = item.name in organizations
    organizations.add(item.name)
    return not known


def _read_works(path: Path, source: str) -> Generator[Reject, None, _Works]:
    if not path.is_file():
        reason = f"no {WORKS_FILE} beside the authors file; the authors load without their works"
        yield Reject(source, None, None, None, reason, severity="warning")
        return _Works(present=False)
    works = _Works()
    for line, row in iter_jsonl(read_text(path), source):
        problem = row if isinstance(row, Reject) else works.add(_work_fields(row, source, line))
        if problem is not None:
            yield replace(problem, reason=f"{WORKS_FILE}: {problem.reason}")
    return works


def _work_fields(row: Mapping[str, Any], source: str, line: int) -> Fields:
    return Fields(row, source=source, line=line, record_id=_local_id(row, "work_id", "W"))


def _local_id(row: Mapping[str, Any], key: str, letter: str) -> str | None:
    value = row.get(key)
    match = _OPENALEX_ID[letter].match(value.strip()) if isinstance(value, str) else None
    return match.group(1).upper() if match else None


def _openalex_id(f: Fields, name: str, text: str, letter: str) -> str:
    match = _OPENALEX_ID[letter].match(text)
    if match is None:
        raise f.error(name, f"expected an OpenAlex id like {letter}123456789, found {text!r}")
    return match.group(1).upper()


def _work(f: Fields) -> Work:
    kind = (f.text("type") or "").lower()
    return Work(
        local_id=_openalex_id(f, "work_id", f.required("work_id"), "W"),
        title=_title(f),
        abstract=_plain(f.text("abstract")) or None,
        year=f.integer("publication_year"),
        doi=_doi(f),
        kind=KINDS.get(kind, "other"),
        venue=_plain(f.text("venue")) or None,
        keywords=tuple(dict.fromkeys([*f.strings("keywords"), *f.strings("topics")])),
    )


def _title(f: Fields) -> str:
    title = _plain(f.required("title"))
    if not title:
        raise f.error("title", "the title is only markup, no text")
    return title


def _plain(text: str | None) -> str:
    """Text without the markup OpenAlex keeps: ``CO<sub>2</sub>``, ``<i>``, MathML, literal ``\\n``,
    and entities, some of them escaped twice (``&amp;lt;i&amp;gt;``)."""
    if text is None:
        return ""
    text = html.unescape(html.unescape(text)).replace("\\n", " ")
    return " ".join(_OTHER_TAG.sub(" ", _INLINE_TAG.sub("", text)).split())


def _doi(f: Fields) -> str | None:
    text = f.text("doi")
    if text is None:
        return None
    match = _DOI.match(text)
    if match is None:
        raise f.error("doi", f"expected a DOI like https://doi.org/10.1000/xyz, found {text!r}")
    return f"https://doi.org/{match.group(1)}"


def _records(f: Fields, works: _Works) -> Sequence[Record]:
    origin = Origin(f.source, f.line, _openalex_id(f, "author_id", f.required("author_id"), "A"))
    organizations = _organizations(f)
    name = f.required("name")
    expert = Expert(
        origin=origin,
        local_id=origin.record_id,
        name=name,
        alt_names=tuple(n for n in f.strings("name_alternatives") if n != name),
        affiliations=tuple(dict.fromkeys(OrgRef(o.name) for o in organizations)),
        place=Place(country=organizations[0].place.country) if organizations else Place(),
        orcid=_orcid(f),
        external_ids=(f"openalex:{origin.record_id}",),
        keywords=_keywords(f),
        works=tuple(works.found[w] for w in _work_ids(f) if w in works.found),
    )
    return [expert, *organizations]


def _keywords(f: Fields) -> tuple[str, ...]:
    topics = [f.nested("topics", i, raw).required("name") for i, raw in enumerate(f.objects("topics"))]
    programme = f.text("programme")
    return tuple(dict.fromkeys([*topics, *f.strings("units"), *([programme] if programme else [])]))


def _work_ids(f: Fields) -> list[str]:
    return [_openalex_id(f, f"work_ids[{i}]", text, "W") for i, text in enumerate(f.strings("work_ids"))]


def _missing_works(f: Fields, works: _Works) -> Iterator[Reject]:
    for i, work_id in enumerate(_work_ids(f)):
        if work_id in works.found:
            continue
        line = works.lines.get(work_id)
        why = f"was rejected ({WORKS_FILE} line {line})" if line else f"is not in {WORKS_FILE}"
        reason = f"work {work_id} {why}; the author loads without it"
        yield Reject(f.source, f.line, f.record_id, f"work_ids[{i}]", reason, severity="warning")


def _orcid(f: Fields) -> str | None:
    text = f.text("orcid")
    if text is None:
        return None
    match = _ORCID.match(text)
    if match is None or not _orcid_checksum_ok(match.group(1).upper()):
        reason = "expected an ORCID iD like https://orcid.org/0000-0002-1825-0097 (last digit a checksum)"
        raise f.error("orcid", f"{reason}, found {text!r}")
    return f"https://orcid.org/{match.group(1).upper()}"


def _orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2, the check character of an ORCID iD."""
    digits = orcid.replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _organizations(f: Fields) -> list[Organization]:
    """Affiliations, the current institution first and the others by the latest year the author was there."""
    found = [_affiliation(f.nested("affiliations", i, raw)) for i, raw in enumerate(f.objects("affiliations"))]
    current = f.text("institution")
    if current and all(a.organization.name != current for a in found):
        found.append(_Affiliation(Organization(Origin(f.source, f.line, current), current), 0))
    found.sort(key=lambda a: (a.organization.name != current, -a.latest))
    return [a.organization for a in found]


def _affiliation(a: Fields) -> _Affiliation:
    name = a.required("institution")
    ror = _ror(a)
    country = a.text("country_code")
    if country is not None and not _COUNTRY.match(country):
        raise a.error("country_code", f"expected a two-letter ISO country code, found {country!r}")
    place = Place(country=country.upper() if country else None)
    organization = Organization(Origin(a.source, a.line, ror or name), name, place=place, ror=ror)
    return _Affiliation(organization, _latest_year(a))


def _ror(a: Fields) -> str | None:
    text = a.text("ror")
    if text is None:
        return None
    match = _ROR.match(text)
    if match is None:
        raise a.error("ror", f"expected a ROR id like https://ror.org/03yez3163, found {text!r}")
    return f"https://ror.org/{match.group(1).lower()}"


def _latest_year(a: Fields) -> int:
    years = a.raw.get("years") or []
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise a.error("years", f"expected a list of years, found {years!r}")
    return max(years, default=0)
