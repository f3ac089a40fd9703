"""``POST /ingest``: upload a file in any supported format; needs an API key whose role allows it.

An ``admin`` key may write any source. A ``centre`` key writes only sources whose names start with its
organisation's slug, and only records of its own organisation (or units under it): an upload with any other
organisation's record is refused whole, naming each such record, before anything is written. Usage and capacity
rows are the centre's when the resource they are about is (looked up in the graph).

An upload is ingested as the command line ingests (``ingest.pipeline.ingest_sources``: garbage collected before
and after, people and organisations relinked). An upload that would remove most of the source's records is refused
with 409 unless ``allow_shrink`` is set; one with no loadable record is refused with 422; nothing is written then.

A ``mapped`` upload (any CSV, TSV or JSON Lines file) comes with its column mapping as the ``mapping`` field (TOML,
docs/mapping.md, at most ``MAPPING_MAX_BYTES``), read by the loader the command line uses, and optionally the
file's ``encoding`` (as ``--encoding``). Messages name the uploaded files by their names, never the server's folder.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from api.deps import CallerDep, ServicesDep
from api.keys import Caller
from api.problems import Problem
from api.schemas import IngestOut
from api.services import Services
from graph.errors import InputError, RecordError
from ingest.iris import slug
from ingest.pipeline import SourcePlan, ingest_sources, plan
from ingest.readers import FORMAT_NAMES
from ingest.readers.column_mapping import encoding_name
from ingest.report import RunReport
from ingest.scope import records_outside

router = APIRouter(tags=["ingest"])

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
PROBLEMS_SHOWN = 50
CHUNK = 1 << 20
#: Largest mapping file accepted: a column mapping is a few kilobytes of TOML.
MAPPING_MAX_BYTES = 256 * 1024
#: The command line's words in library messages, and the fields of this endpoint that stand for them.
UPLOAD_WORDS = (("--encoding", "the `encoding` field"), ("--mapping FILE", "the `mapping` field"))
MAPPING_HELP = (
    "Column mapping (TOML, see docs/mapping.md) for format `mapped`: any CSV, TSV or JSON Lines file read through "
    f"it; at most {MAPPING_MAX_BYTES // 1024} KiB."
)
ENCODING_HELP = (
    "Text encoding of a mapped file (e.g. gb18030, utf-8); default: the mapping's input.encoding, else detected."
)


def _safe_name(filename: str | None, default: str) -> str:
    return SAFE_NAME.sub("_", Path(filename or default).name).lstrip(".") or default


def _source_for(caller: Caller, source: str | None, filename: str) -> str:
    name = source or slug(Path(filename).stem)
    if caller.role == "centre" and not name.startswith(caller.source_prefix):
        if source:
            raise Problem(
                403,
                "Forbidden",
                f"a key of {caller.organization!r} may write only sources named "
                f"{caller.source_prefix}…; {source!r} is not one",
                kind="forbidden-source",
            )
        name = caller.source_prefix + name
    return name


def _check_scope(services: Services, caller: Caller, plan_: SourcePlan) -> None:
    organization = caller.organization_iri
    if caller.role != "centre" or organization is None:
        return
    outside = records_outside(plan_, organization, services.store)
    if outside:
        raise Problem(
            403,
            "Forbidden",
            f"{len(outside)} record(s) are not {caller.organization}'s, so this key may not load them; nothing was "
            f"written. First: record {outside[0].record_id!r} (line {outside[0].line}): {outside[0].reason}",
            kind="forbidden-records",
            problems=[
                {"record": p.record_id, "line": p.line, "field": p.field, "reason": p.reason}
                for p in outside[:PROBLEMS_SHOWN]
            ],
        )


def _ingest(services: Services, plan_: SourcePlan, strict: bool, allow_shrink: bool) -> RunReport:
    with services.write_lock:
        outcome = ingest_sources(
            services.store, [plan_], services.settings.reports_dir, strict=strict, allow_shrink=allow_shrink
        )
    report = outcome.reports[0]
    if report.status == "refused-shrink":
        raise Problem(
            409,
            "Conflict",
            report.message,
            kind="would-remove-records",
            would_remove={t: {"removed": gone, "published": have} for t, (gone, have) in report.would_remove.items()},
        )
    return report


def _problems(report: RunReport, folders: tuple[Path, ...]) -> list[dict[str, object]]:
    if not report.rejects_file:
        return []
    lines = Path(report.rejects_file).read_text(encoding="utf-8").splitlines()[:PROBLEMS_SHOWN]
    problems = [json.loads(line) for line in lines]
    for p in problems:
        if isinstance(p.get("reason"), str):
            p["reason"] = _in_upload_words(p["reason"], folders)
    return problems


def _mapped_fields(fmt: str | None, has_mapping: bool, encoding: str | None) -> str | None:
    """Check ``format``, ``mapping`` and ``encoding`` together (a 422 naming the remedy); the codec name or None."""
    if fmt is not None and fmt not in FORMAT_NAMES:
        raise Problem(422, "Invalid request", f"unknown format {fmt!r}; use one of {', '.join(FORMAT_NAMES)}")
    if fmt == "mapped" and not has_mapping:
        raise Problem(
            422,
            "Invalid request",
            "format 'mapped' reads the file through a column mapping: send the "
            "mapping file (TOML, see docs/mapping.md) as the multipart field `mapping`",
            kind="mapping-missing",
        )
    if has_mapping and fmt not in {None, "mapped"}:
        raise Problem(
            422,
            "Invalid request",
            f"a column mapping is read only with format 'mapped', not {fmt!r}; "
            "leave `format` out or set it to 'mapped'",
        )
    encoding = encoding.strip() if encoding else None
    if encoding and not has_mapping:
        raise Problem(
            422,
            "Invalid request",
            "`encoding` applies to a mapped upload: send the file's column "
            "mapping as the field `mapping` (the other formats are read as UTF-8)",
        )

    def unknown(problem: str) -> Problem:
        return Problem(422, "Invalid request", f"encoding: {problem}")

    return encoding_name(encoding or None, unknown)


async def _save(upload: UploadFile, path: Path, limit: int | None = None) -> None:
    """Write an uploaded file to ``path``; more than ``limit`` bytes (a mapping's cap) is a 413."""
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if limit is not None and size > limit:
                detail = f"the mapping is larger than {limit // 1024} KiB; a column mapping is a few kilobytes of TOML"
                raise Problem(413, "Request too large", detail, kind="mapping-too-large")
            out.write(chunk)


def _in_upload_words(message: str, folders: tuple[Path, ...]) -> str:
    """A library message about an upload: files named without the server's folders, options as this endpoint's
    fields."""
    for folder in folders:
        message = message.replace(f"{folder}{os.sep}", "")
    for option, field in UPLOAD_WORDS:
        message = message.replace(option, field)
    return message


@router.post("/ingest", summary="Upload a catalogue file and publish it as a source", response_model=IngestOut)
async def upload(
    services: ServicesDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="A file in any format sharekg reads (see `format`).")],
    source: Annotated[
        str | None, Form(description="Source name (lower-case, digits, '-'); default: from the file.")
    ] = None,
    format: Annotated[str | None, Form(description=f"One of {', '.join(FORMAT_NAMES)}; default: detected.")] = None,
    strict: Annotated[
        bool, Form(description="Any rejected record fails the whole upload; nothing is written.")
    ] = False,
    allow_shrink: Annotated[
        bool,
        Form(description="Publish even when the upload would remove most of the source's records (else 409)."),
    ] = False,
    mapping: Annotated[UploadFile | None, File(description=MAPPING_HELP)] = None,
    encoding: Annotated[str | None, Form(description=ENCODING_HELP)] = None,
) -> IngestOut:
    """Validated like every ingest: invalid records are rejected (listed in ``problems`` with line, record and
    field), valid ones published atomically as the source's new graph. The search index refreshes in the
    background."""
    codec = _mapped_fields(format, mapping is not None, encoding)
    filename = _safe_name(file.filename, "upload")
    name = _source_for(caller, source, filename)
    with tempfile.TemporaryDirectory(prefix="sharekg-upload-") as folder:
        folders = (Path(folder) / "data", Path(folder) / "mapping")
        for f in folders:
            f.mkdir()
        path = folders[0] / filename
        await _save(file, path)
        mapping_path: Path | None = None
        if mapping is not None:
            mapping_path = folders[1] / _safe_name(mapping.filename, "mapping.toml")
            await _save(mapping, mapping_path, MAPPING_MAX_BYTES)
        try:
            plans = plan([path], name, format, mapping_path, codec)
            await run_in_threadpool(_check_scope, services, caller, plans[0])
            report = await run_in_threadpool(_ingest, services, plans[0], strict, allow_shrink)
        except InputError as e:
            if isinstance(e, RecordError):
                raise
            raise InputError(_in_upload_words(str(e), folders)) from e
        problems = _problems(report, folders)
    index = "unchanged"
    if report.status == "loaded":
        services.refresh_index_in_background()
        index = "refreshing"
    return IngestOut(
        source=report.source,
        status=report.status,
        read=report.read,
        loaded=report.loaded,
        rejected=report.rejected,
        warnings=report.warnings,
        triples=report.triples,
        problems=problems,
        index=index,
        message=report.message,
    )
