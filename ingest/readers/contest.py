"""The contest lifecycle as data: contests and their tracks, challenge topics, teams and entries (JSON Lines).

One object per line, its ``kind`` saying what it is: ``contest`` (with its ``tracks``), ``topic`` (a challenge
topic posted by an organisation), ``team`` (members and organisations) and ``entry`` (a team's entry in a track:
the need its project states, the resources matched to it, its mentors and its outputs). Contests, tracks, topics
and teams are referred to by the ids this file gives them, and an id must be defined on a line above the one that
uses it, so a dangling reference is rejected at its line. Resources, mentors and what an output was made with live
in other sources: they are named by sharekg IRI or by ``{"source": …, "id": …}`` (and ``"type"`` for resources:
instrument, the default, facility, dataset or expert), and the mapping mints the IRI that source's reader minted.
See docs/usage-and-contest.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from graph.errors import InputError, RecordError
from ingest.mapping import WORK_CLASSES
from ingest.readers.base import Fields, ReadItem, guarded, iter_jsonl, read_text
from ingest.readers.usage import RESOURCE_KINDS, reference
from ingest.records import (
    ChallengeTopic,
    Contest,
    Entry,
    Member,
    OrgRef,
    Origin,
    Output,
    Record,
    Ref,
    Team,
    Track,
)
from ingest.report import Reject

KEYS = {
    "contest": {"kind", "id", "name", "description", "start", "end", "organizer", "homepage", "tracks", "synthetic"},
    "topic": {"kind", "id", "contest", "title", "text", "posted_by", "subjects", "keywords", "synthetic"},
    "team": {"kind", "id", "name", "members", "organizations", "synthetic"},
    "entry": {
        "kind",
        "id",
        "title",
        "track",
        "topic",
        "team",
        "need",
        "matched_resources",
        "mentors",
        "outputs",
        "synthetic",
    },
}
TRACK_KEYS = {"id", "name", "description"}
MEMBER_KEYS = {"id", "name"}
OUTPUT_KEYS = {"id", "kind", "title", "year", "doi", "url", "made_with"}
OUTPUT_KINDS = tuple(WORK_CLASSES)
Claim = tuple[str, str, str]  # (kind, local id, the key that gives it)
_KIND_LINE = re.compile(r'"kind"\s*:\s*"(?:contest|topic|team|entry)"')
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


class ContestReader:
    name = "contest"
    description = "Contest lifecycle: contests, tracks, challenge topics, teams and entries (JSON Lines)"

    def sniff(self, path: Path, head: str) -> bool:
        first = head.splitlines()[0] if head.strip() else ""
        return path.suffix.lower() in {".jsonl", ".ndjson"} and bool(_KIND_LINE.search(first))

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        if path.suffix.lower() not in {".jsonl", ".ndjson"}:
            raise InputError(f"{source}: {path.name}: expected a .jsonl file of contest records")
        defined = _Defined()
        for line, row in iter_jsonl(read_text(path), source):
            if isinstance(row, Reject):
                yield row
                continue
            record_id = _raw_id(row.get("id"))
            fields = Fields(row, source=source, line=line, record_id=record_id)
            yield from defined.unknown_keys(fields)
            yield from guarded(source, line, record_id, partial(_records, fields, defined))


@dataclass
class _Defined:
    """Ids defined so far in the file, per kind, with their line; and unknown keys already warned about."""

    lines: dict[str, dict[str, int]] = field(default_factory=dict)
    warned: set[tuple[str, str]] = field(default_factory=set)

    def add(self, f: Fields, claims: Sequence[Claim]) -> None:
        """Define the ids a line gives, all or none: a repeat of an earlier id (or of one on this line) is an error."""
        first: dict[tuple[str, str], int] = {}
        for kind, local_id, key in claims:
            line = self.lines.get(kind, {}).get(local_id) or first.get((kind, local_id))
            if line is not None:
                raise f.error(key, f"duplicate {kind} id {local_id!r}, first given at line {line}")
            first[(kind, local_id)] = f.line
        for (kind, local_id), line in first.items():
            self.lines.setdefault(kind, {})[local_id] = line

    def need(self, f: Fields, kind: str, key: str, *, required: bool = True) -> str | None:
        local_id = f.text(key, required=required)
        if local_id is not None and local_id not in self.lines.get(kind, {}):
            raise f.error(key, f"no {kind} {local_id!r} is defined above this line; define it first")
        return local_id

    def unknown_keys(self, f: Fields) -> Iterator[Reject]:
        kind = f.raw.get("kind")
        if not isinstance(kind, str) or kind not in KEYS:
            return
        for key in sorted(f.raw.keys() - KEYS[kind]):
            if (kind, key) not in self.warned:
                self.warned.add((kind, key))
                yield Reject(f.source, f.line, f.record_id, key, "unknown key, its values are ignored", "warning")


def _raw_id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _records(f: Fields, defined: _Defined) -> Sequence[Record]:
    kind = f.required("kind")
    builders = {"contest": _contest, "topic": _topic, "team": _team, "entry": _entry}
    if kind not in builders:
        raise f.error("kind", f"expected one of {', '.join(builders)}, found {kind!r}")
    local_id = f.required("id")
    record = builders[kind](f, Origin(f.source, f.line, local_id), defined)
    defined.add(f, [(kind, local_id, "id"), *_claims(record)])
    return [record]


def _claims(record: Record) -> list[Claim]:
    """Ids a record defines besides its own: a contest's tracks, an entry's outputs."""
    if isinstance(record, Contest):
        return [("track", t.local_id, f"tracks[{i}].id") for i, t in enumerate(record.tracks)]
    if isinstance(record, Entry):
        return [("output", o.local_id, f"outputs[{i}].id") for i, o in enumerate(record.outputs)]
    return []


def _contest(f: Fields, origin: Origin, defined: _Defined) -> Record:
    tracks = []
    for i, raw in enumerate(f.objects("tracks")):
        t = f.nested("tracks", i, raw)
        _no_unknown(t, raw, TRACK_KEYS)
        tracks.append(Track(t.required("id"), t.required("name"), t.text("description")))
    if not tracks:
        raise f.error("tracks", "a contest needs at least one track ({id, name})")
    start, end = f.iso_date("start"), f.iso_date("end")
    if start and end and end < start:
        raise f.error("end", f"the contest ends before it starts ({end} < {start})")
    return Contest(
        origin=origin,
        local_id=origin.record_id,
        name=f.required("name"),
        tracks=tuple(tracks),
        description=f.text("description"),
        start=start,
        end=end,
        organizer=_org(f, "organizer"),
        homepage=f.url("homepage"),
        synthetic=bool(f.boolean("synthetic")),
    )


def _topic(f: Fields, origin: Origin, defined: _Defined) -> Record:
    posted_by = _org(f, "posted_by")
    if posted_by is None:
        raise f.error("posted_by", "required value is missing (the organisation that posts the topic)")
    subjects = f.strings("subjects")
    for i, subject in enumerate(subjects):
        if not _IRI.match(subject):
            raise f.error(f"subjects[{i}]", f"expected a subject IRI, found {subject!r}")
    return ChallengeTopic(
        origin=origin,
        local_id=origin.record_id,
        title=f.required("title"),
        text=f.required("text"),
        posted_by=posted_by,
        contest=defined.need(f, "contest", "contest", required=False),
        subjects=subjects,
        keywords=f.strings("keywords"),
        synthetic=bool(f.boolean("synthetic")),
    )


def _team(f: Fields, origin: Origin, defined: _Defined) -> Record:
    members: dict[str, Member] = {}
    for i, raw in enumerate(f.objects("members")):
        m = f.nested("members", i, raw)
        _no_unknown(m, raw, MEMBER_KEYS)
        member = Member(m.required("id"), m.required("name"))
        if member.local_id in members:
            raise m.error("id", f"member {member.local_id!r} is listed twice")
        members[member.local_id] = member
    return Team(
        origin=origin,
        local_id=origin.record_id,
        name=f.required("name"),
        members=tuple(members.values()),
        organizations=tuple(OrgRef(name) for name in f.strings("organizations")),
        synthetic=bool(f.boolean("synthetic")),
    )


def _entry(f: Fields, origin: Origin, defined: _Defined) -> Record:
    track, team = defined.need(f, "track", "track"), defined.need(f, "team", "team")
    assert track is not None and team is not None
    outputs = [_output(f.nested("outputs", i, raw), raw) for i, raw in enumerate(f.objects("outputs"))]
    return Entry(
        origin=origin,
        local_id=origin.record_id,
        title=f.required("title"),
        track=track,
        team=team,
        need=f.required("need"),
        topic=defined.need(f, "topic", "topic", required=False),
        matched=_refs(f, "matched_resources", RESOURCE_KINDS),
        mentors=_refs(f, "mentors", ("expert",)),
        outputs=tuple(outputs),
        synthetic=bool(f.boolean("synthetic")),
    )


def _output(o: Fields, raw: Mapping[str, Any]) -> Output:
    _no_unknown(o, raw, OUTPUT_KEYS)
    local_id = o.required("id")
    kind = o.required("kind").lower()
    if kind not in OUTPUT_KINDS:
        raise o.error("kind", f"expected one of {', '.join(OUTPUT_KINDS)}, found {kind!r}")
    year = o.integer("year")
    if year is not None and not 1500 <= year <= 2100:
        raise o.error("year", f"expected a year from 1500 to 2100, found {year}")
    return Output(
        local_id=local_id,
        title=o.required("title"),
        kind=kind,
        year=year,
        doi=o.text("doi"),
        url=o.url("url"),
        made_with=_refs(o, "made_with", RESOURCE_KINDS),
    )


def _refs(f: Fields, name: str, kinds: Sequence[str]) -> tuple[Ref, ...]:
    """References to records of other sources: sharekg IRIs, or ``{"source", "id"}`` objects (``"type"`` too when
    more than one kind is allowed; the first kind is the default)."""
    value = f.raw.get(name)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise f.error(name, "expected a list of sharekg IRIs or {source, id} objects")
    refs: list[Ref] = []
    for i, item in enumerate(value):
        key = f"{name}[{i}]"
        if isinstance(item, str):
            refs.append(reference(item.strip(), None, kinds, f, key, key))
        elif isinstance(item, dict):
            refs.append(_object_ref(f.nested(name, i, item), item, kinds))
        else:
            raise f.error(key, f"expected a sharekg IRI or a {{source, id}} object, found {type(item).__name__}")
    return tuple(dict.fromkeys(refs))


def _object_ref(r: Fields, raw: Mapping[str, Any], kinds: Sequence[str]) -> Ref:
    _no_unknown(r, raw, {"source", "id", "type"} if len(kinds) > 1 else {"source", "id"})
    kind = (r.text("type") or kinds[0]).lower()
    if kind not in kinds:
        raise r.error("type", f"expected one of {', '.join(kinds)}, found {kind!r}")
    return reference(r.required("id"), r.required("source"), (kind,), r, "id", "source")


def _org(f: Fields, name: str) -> OrgRef | None:
    """An organisation by name: a string, or ``{"name": …, "parent": …}`` for a department of a university."""
    value = f.raw.get(name)
    if isinstance(value, dict):
        o = _Prefixed(value, f, name)
        _no_unknown(o, value, {"name", "parent"})
        org_name, parent = o.required("name"), o.text("parent")
        return OrgRef(org_name, OrgRef(parent)) if parent and parent != org_name else OrgRef(org_name)
    text = f.text(name)
    return OrgRef(text) if text else None


class _Prefixed(Fields):
    """Fields of a nested object (not in a list), whose errors name ``name.field``."""

    def __init__(self, raw: Mapping[str, Any], parent: Fields, name: str) -> None:
        super().__init__(raw, source=parent.source, line=parent.line, record_id=parent.record_id)
        self.prefix = f"{name}."

    def error(self, name: str | None, reason: str) -> RecordError:
        return super().error(f"{self.prefix}{name}" if name else self.prefix.rstrip("."), reason)


def _no_unknown(f: Fields, raw: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(raw.keys() - known)
    if unknown:
        raise f.error(unknown[0], f"unknown key; allowed here: {', '.join(sorted(known))}")
