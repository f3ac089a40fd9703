"""The ingest pipeline: read → typed records → RDF (pure mapping) → SHACL check → one atomic store write.

Each source lives in its own named graph. A run streams accepted triples into a new graph that no
query sees, adds its PROV-O provenance there, and then publishes it in one transaction; an input
whose checksum matches the published one is skipped (re-ingesting changes nothing). A run that
fails or is killed midway leaves the previous graph in place; its partial graph is garbage,
removed by the next run.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from graph.errors import ConfigurationError, InputError, SharekgError, ShrinkRefusal, StrictModeRejection
from graph.store import Store, Triple
from ingest import shrink
from ingest.iris import check_source_name, run_iri, slug, source_graph_iri
from ingest.linking import relink
from ingest.mapping import MappedRecord, map_record
from ingest.readers import COMPANION_FILES, SKIPPED_SUFFIXES, Reader, reader_for
from ingest.readers.tabular import MappedReader
from ingest.records import Record
from ingest.report import InputFile, Reject, RejectsWriter, RunReport, write_report
from ingest.validate import NodeTypes, Violation, compile_shapes
from ontology.terms import PROV_, RDF_, SKG, XSD_, ontology_text

#: Bump when mapping or validation changes what the same input produces, so unchanged inputs reload.
PIPELINE_VERSION = "3"

IngestProgress = Callable[[str, int], None]  # (what, records so far)
log = logging.getLogger("sharekg.ingest")


@dataclass(frozen=True, slots=True)
class SourcePlan:
    source: str
    files: tuple[tuple[Path, Reader], ...]


def plan(
    paths: Iterable[Path],
    source: str | None = None,
    fmt: str | None = None,
    mapping: Path | None = None,
    encoding: str | None = None,
) -> list[SourcePlan]:
    """Which files go to which source: all into ``source`` when given, else one source per path
    (a folder is one source of all the data files in it, named after the folder).

    ``encoding`` (a codec name, ``--encoding``) is for mapped files: it wins over the mapping's ``input.encoding``;
    without either the encoding is detected. Given for a file of another format, it is an ``InputError``."""
    paths = list(paths)
    if not paths:
        raise ConfigurationError("no input given; name one or more files or folders")
    groups = {source: paths} if source else {slug(p.stem if p.is_file() else p.name): [p] for p in paths}
    if not source and len(groups) < len(paths):
        raise ConfigurationError("two inputs would get the same source name; give one with --source")
    return [
        SourcePlan(check_source_name(name), tuple((f, reader_for(f, fmt, mapping, encoding)) for f in _files(group)))
        for name, group in groups.items()
    ]


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                f
                for f in sorted(path.iterdir())
                if f.is_file()
                and f.suffix not in SKIPPED_SUFFIXES
                and f.name not in COMPANION_FILES
                and not f.name.startswith(".")
            )
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    if not files:
        raise InputError(f"{', '.join(map(str, paths))}: no data files found")
    return files


def input_checksum(files: Iterable[tuple[Path, Reader]]) -> tuple[str, list[InputFile]]:
    """SHA-256 over the pipeline version, the ontology and every input file (and its format, and for a mapped file
    its mapping file and the encoding it was told): a changed mapping or ``--encoding`` reloads the source."""
    total = hashlib.sha256(f"{PIPELINE_VERSION}\n".encode())
    total.update(ontology_text("sharekg.ttl").encode() + ontology_text("shapes.ttl").encode())
    inputs = []
    for path, reader in files:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        total.update(f"{reader.name}:{digest}{_reader_settings(reader)}\n".encode())
        inputs.append(InputFile(path.name, reader.name, digest, len(data)))
    return total.hexdigest(), inputs


def _reader_settings(reader: Reader) -> str:
    """What decides a reader's records besides the file: for a mapped file, the SHA-256 of its mapping file's bytes
    (which hold ``input.encoding``) and the encoding given on top of it; nothing for the other formats (so their
    checksums are as before)."""
    if not isinstance(reader, MappedReader):
        return ""
    mapping = reader.mapping.path
    try:
        digest = hashlib.sha256(mapping.read_bytes()).hexdigest()
    except OSError as e:
        raise InputError(f"{mapping}: the mapping file cannot be read any more ({e.strerror}); run again") from e
    return f":mapping={digest}:encoding={reader.encoding or ''}"


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def clean_checksum(checksum: str) -> str:
    """The checksum a run publishes when its input had no rejects and no warnings: a strict run of the same input
    may skip only a graph published under it (one published with rejects must fail ``--strict`` again)."""
    return hashlib.sha256(f"{checksum}\nclean".encode()).hexdigest()


def ingest_source(
    store: Store,
    plan_: SourcePlan,
    reports_dir: Path | None,
    *,
    strict: bool = False,
    allow_shrink: bool = False,
    progress: IngestProgress | None = None,
) -> RunReport:
    """Load one source; returns its report (also written to ``reports_dir``), which always ends with a status.

    Refused, with nothing published: an input that yields no record (``InputError``, raised), a strict run with
    rejects (status ``rejected-strict``), a run that would remove most of the source (status ``refused-shrink``
    unless ``allow_shrink``; ``ingest.shrink`` says when). A reader that fails midway fails the run (``InputError``
    with the reason); a refused or failed run leaves its staged graph as garbage for ``collect_garbage``."""
    source = plan_.source
    report = RunReport(source=source, run_id=new_run_id(), started=_now())
    rejects_path = reports_dir / f"{source}-{report.run_id}.rejects.jsonl" if reports_dir else None
    rejects = RejectsWriter(rejects_path)
    started = time.perf_counter()
    try:
        checksum, report.inputs = input_checksum(plan_.files)
        current = store.sources().get(source)
        if current is not None and current.checksum in _skippable(checksum, strict):
            report.status = "unchanged"
            report.message = "input and pipeline unchanged since the published graph; nothing written"
            return report
        before = shrink.published_counts(store, source) if current is not None and not allow_shrink else {}
        tally = shrink.TypeTally()
        stream = tally.watch(_accepted_triples(plan_, report, rejects, progress))
        size = store.stage(source, report.run_id, _end_checks(stream, report, rejects, strict, before, tally))
        report.seconds["read_map_validate_write"] = round(time.perf_counter() - started, 3)
        report.ended = _now()
        report.triples = size
        store.stage(source, report.run_id, provenance(report))
        clean = not (rejects.errors or rejects.warnings)
        store.publish(source, report.run_id, clean_checksum(checksum) if clean else checksum)
        report.status = "loaded"
    except StrictModeRejection as e:
        report.status, report.message = "rejected-strict", str(e)
    except ShrinkRefusal as e:
        report.status, report.message = "refused-shrink", str(e)
        report.would_remove = {t.rsplit("#", 1)[-1]: [gone, have] for t, (gone, have) in e.removed.items()}
    except SharekgError as e:
        report.status, report.message = "failed", str(e)
        raise
    except BaseException as e:  # a programming error or an interrupt: the report still ends, saying so
        report.status, report.message = "failed", f"the run stopped on {type(e).__name__}: {e}"
        raise
    finally:
        rejects.close()
        report.rejected, report.warnings = rejects.errors, rejects.warnings
        report.rejects_file = str(rejects_path) if rejects_path and (rejects.errors or rejects.warnings) else None
        report.ended = report.ended or _now()
        report.seconds["total"] = round(time.perf_counter() - started, 3)
        if reports_dir is not None and report.status != "unchanged":
            write_report(report, reports_dir)
    return report


def _skippable(checksum: str, strict: bool) -> set[str]:
    return {clean_checksum(checksum)} if strict else {checksum, clean_checksum(checksum)}


@dataclass(slots=True)
class IngestOutcome:
    """What ``ingest_sources`` did: one report per source, then the links' report; graphs collected before."""

    reports: list[RunReport]
    graphs_removed: int


def ingest_sources(
    store: Store,
    plans: Iterable[SourcePlan],
    reports_dir: Path | None,
    *,
    strict: bool = False,
    allow_shrink: bool = False,
    progress: IngestProgress | None = None,
    on_report: Callable[[RunReport], None] | None = None,
) -> IngestOutcome:
    """Ingest a set of sources the one way the CLI and ``POST /ingest`` share: collect garbage (left by replaced
    sources and killed runs), ingest each source, relink people and organisations across sources, and collect the
    garbage this run made (superseded graphs, refused and failed stages), even when a source fails."""
    removed = store.collect_garbage()
    reports: list[RunReport] = []
    try:
        for p in plans:
            reports.append(
                ingest_source(store, p, reports_dir, strict=strict, allow_shrink=allow_shrink, progress=progress)
            )
            if on_report is not None:
                on_report(reports[-1])
        reports.append(relink(store, new_run_id()))
        if on_report is not None:
            on_report(reports[-1])
    finally:
        store.collect_garbage()
    return IngestOutcome(reports, removed)


def read_items(path: Path, reader: Reader, source: str) -> Iterator[Record | Reject]:
    """A reader's records and rejects; an error it raises that is not ours (a recursion limit, a CSV module error)
    becomes an ``InputError`` naming the file and the reason, so the run fails with a report instead of a trace."""
    try:
        yield from reader.read(path, source)
    except SharekgError:
        raise
    except RecursionError:
        raise InputError(f"{source}: {path.name}: the data is nested too deeply to read; flatten it") from None
    except Exception as e:  # a reader's bug or a library's error on odd bytes: logged with its trace, run failed
        log.warning("reader %s failed on %s", reader.name, path.name, exc_info=True)
        raise InputError(f"{source}: {path.name}: cannot be read as {reader.name}: {type(e).__name__}: {e}") from e


def _end_checks(
    stream: Iterator[Triple],
    report: RunReport,
    rejects: RejectsWriter,
    strict: bool,
    before: dict[str, int],
    tally: shrink.TypeTally,
) -> Iterator[Triple]:
    """The stream, then the checks that need all of it; one that fails aborts the stage (nothing is published)."""
    yield from stream
    if report.loaded == 0:
        raise InputError(
            f"{report.source}: the input holds no record that could be loaded ({report.read} read, "
            f"{rejects.errors} rejected); nothing was written, the published graph is unchanged"
        )
    if strict and (rejects.errors or rejects.warnings):
        raise StrictModeRejection(
            f"--strict: {rejects.errors} record(s) rejected and {rejects.warnings} warning(s); nothing was written, "
            "the previously published graph is unchanged"
        )
    if before:
        shrink.check(report.source, before, tally.counts())


def _accepted_triples(
    plan_: SourcePlan, report: RunReport, rejects: RejectsWriter, progress: IngestProgress | None
) -> Iterator[Triple]:
    checker = RecordChecker()
    per_type: Counter[str] = Counter()
    for path, reader in plan_.files:
        checker.file = path.name
        for row in checker.rows(read_items(path, reader, plan_.source)):
            rejects.add_all(row.problems)
            report.read += row.read
            report.loaded += len(row.accepted)
            per_type.update(type(r).__name__ for r in row.accepted)
            if progress is not None and row.accepted:
                progress(plan_.source, report.read)
            yield from row.triples
    report.per_type = dict(per_type)


@dataclass(slots=True)
class CheckedRow:
    """The records one input row gave, checked together: all of them load, or none does."""

    accepted: list[Record]
    triples: list[Triple]
    problems: list[Reject]
    read: int  # records the row counts as read (rejected reader rows count one)


class RecordChecker:
    """Maps and validates records row by row. A row (an NSF award: its instrument, grant, organisation and
    people) loads whole or not at all. Organisation triples, shared by many rows, are checked and written once."""

    def __init__(self) -> None:
        self.shapes = compile_shapes()
        self.context_checked: dict[tuple[Triple, ...], list[Violation]] = {}
        self.context_written: set[tuple[Triple, ...]] = set()
        self.file = ""  # the input file now read, named in duplicates' reasons
        self.first_seen: dict[tuple[str, str], tuple[str, int | None]] = {}  # (type, row id) → (file, line)

    def rows(self, items: Iterable[Record | Reject]) -> Iterator[CheckedRow]:
        """Group a reader's consecutive records by the line they came from, and check each group."""
        row: list[Record] = []
        for item in items:
            if isinstance(item, Reject):
                yield CheckedRow([], [], [item], int(item.severity == "error"))
                continue
            if row and item.origin.line != row[0].origin.line:
                yield self._check_row(row)
                row = []
            row.append(item)
        if row:
            yield self._check_row(row)

    def _check_row(self, records: list[Record]) -> CheckedRow:
        mapped, problems = [], []
        for record in records:
            result = self._check(record)
            if isinstance(result, list):
                problems += result
            else:
                mapped.append(result)
        if not problems and (duplicate := self._duplicate(records[0])) is not None:
            problems = [duplicate]
        if problems:
            if len(records) > 1:
                problems = [_with_row_note(p, len(records)) for p in problems]
            return CheckedRow([], [], problems, len(records))
        if records[0].origin.record_id is not None:
            self.first_seen[_identity(records[0])] = (self.file, records[0].origin.line)
        triples = [t for m in mapped for t in m.triples]
        for m in mapped:
            for group in m.context:
                if group not in self.context_written:
                    self.context_written.add(group)
                    triples.extend(group)
        return CheckedRow(records, triples, [], len(records))

    def _duplicate(self, first_record: Record) -> Reject | None:
        """A row with the id of an earlier row of this run (and the same kind of first record) is rejected, in every
        reader alike: two rows with one id would otherwise merge into one node with both rows' values. Records a
        row shares with others (an award's organisation, a profile's grants) are not rows and are not checked."""
        origin = first_record.origin
        first = self.first_seen.get(_identity(first_record)) if origin.record_id is not None else None
        if first is None:
            return None
        file, line = first
        where = f"line {line}" if file == self.file else f"{file}, line {line}"
        kind = type(first_record).__name__
        reason = f"duplicate {kind} id {origin.record_id!r}, first given at {where}; this row is skipped"
        return Reject(origin.source, origin.line, origin.record_id, "id", reason)

    def _check(self, record: Record) -> MappedRecord | list[Reject]:
        origin = record.origin
        try:
            mapped = map_record(record)
        except ValueError as e:  # an IRI that pyoxigraph refuses
            return [Reject(origin.source, origin.line, origin.record_id, None, f"cannot map: {e}")]
        known: NodeTypes = {}
        violations: list[Violation] = []
        for group in mapped.context:
            if group not in self.context_checked:
                self.context_checked[group] = self.shapes.validate(group)
            violations += self.context_checked[group]
            for s, p, o in group:
                if p == RDF_.type and isinstance(o, ox.NamedNode):
                    known.setdefault(s.value, set()).add(o)
        violations += self.shapes.validate(mapped.triples, known)
        if violations:
            return [
                Reject(origin.source, origin.line, origin.record_id, v.field, f"{v.path}: {v.message}")
                for v in violations
            ]
        return mapped


def _identity(first_record: Record) -> tuple[str, str]:
    return type(first_record).__name__, first_record.origin.record_id or ""


def _with_row_note(problem: Reject, size: int) -> Reject:
    reason = f"{problem.reason} (the row's {size} records were rejected together)"
    return Reject(problem.source, problem.line, problem.record_id, problem.field, reason, problem.severity)


def provenance(report: RunReport) -> list[Triple]:
    """PROV-O description of the run, stored in the source graph it generated."""
    run = run_iri(report.source, report.run_id)
    graph = source_graph_iri(report.source, report.run_id)

    def lit(value: object, datatype: ox.NamedNode = XSD_.string) -> ox.Literal:
        return ox.Literal(str(value), datatype=datatype)

    triples: list[Triple] = [
        (graph, PROV_.wasGeneratedBy, run),
        (run, RDF_.type, SKG.IngestRun),
        (run, RDF_.type, PROV_.Activity),
        (run, SKG.sourceName, lit(report.source)),
        (run, PROV_.startedAtTime, lit(report.started, XSD_.dateTime)),
        (run, PROV_.endedAtTime, lit(report.ended, XSD_.dateTime)),
        (run, SKG.softwareVersion, lit(PIPELINE_VERSION)),
        (run, SKG.recordsRead, lit(report.read, XSD_.integer)),
        (run, SKG.recordsLoaded, lit(report.loaded, XSD_.integer)),
        (run, SKG.recordsRejected, lit(report.read - report.loaded, XSD_.integer)),
        (run, SKG.tripleCount, lit(report.triples, XSD_.integer)),
    ]
    for i, f in enumerate(report.inputs):
        node = ox.NamedNode(f"{run.value}/input/{i}")
        triples += [
            (run, PROV_.used, node),
            (node, RDF_.type, SKG.InputFile),
            (node, SKG.fileName, lit(f.path)),
            (node, SKG.readerFormat, lit(f.format)),
            (node, SKG.sha256, lit(f.sha256)),
            (node, SKG.byteSize, lit(f.bytes, XSD_.integer)),
        ]
    return triples


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


__all__ = [
    "PIPELINE_VERSION",
    "CheckedRow",
    "IngestOutcome",
    "RecordChecker",
    "SourcePlan",
    "StrictModeRejection",
    "clean_checksum",
    "ingest_source",
    "ingest_sources",
    "input_checksum",
    "plan",
    "read_items",
]
