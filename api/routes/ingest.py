"""``POST /ingest``: upload a file in any supported format; needs an API key whose role allows it.

An ``admin`` key may write any source. A ``centre`` key writes only sources whose names start with its
organisation's slug, and only records of its own organisation (or units under it): an upload with any other
organisation's record is refused whole, naming each such record, before anything is written. Usage and capacity
rows are the centre's when the resource they are about is (looked up in the graph).

An upload is ingested as the command line ingests (``ingest.pipeline.ingest_sources``: garbage collected before
and after, people and organisations relinked). An upload that would remove most of the source's records is refused
with 409 unless ``allow_shrink`` is set; one with no loadable record is refused with 422; nothing is written then.
"""

from __future__ import annotations

import json
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
from ingest.iris import slug
from ingest.pipeline import SourcePlan, ingest_sources, plan
from ingest.readers import FORMAT_NAMES
from ingest.report import RunReport
from ingest.scope import records_outside

router = APIRouter(tags=["ingest"])

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
PROBLEMS_SHOWN = 50
CHUNK = 1 << 20


def _source_for(caller: Caller, source: str | None, filename: str) -> str:
    name = source or slug(Path(filename).stem)
    if caller.role == "centre" and not name.startswith(caller.source_prefix):
        if source:
            raise Problem(403, "Forbidden", f"a key of {caller.organization!r} may write only sources named "
                          f"{caller.source_prefix}…; {source!r} is not one", kind="forbidden-source")  # fmt: skip
        name = caller.source_prefix + name
    return name


def _check_scope(services: Services, caller: Caller, plan_: SourcePlan) -> None:
    organization = caller.organization_iri
    if caller.role != "centre" or organization is None:
        return
    outside = records_outside(plan_, organization, services.store)
    if outside:
        raise Problem(
            403, "Forbidden",
            f"{len(outside)} record(s) are not {caller.organization}'s, so this key may not load them; nothing was "
            f"written. First: record {outside[0].record_id!r} (line {outside[0].line}): {outside[0].reason}",
            kind="forbidden-records",
            problems=[{"record": p.record_id, "line": p.line, "field": p.field, "reason": p.reason}
                      for p in outside[:PROBLEMS_SHOWN]],
        )  # fmt: skip


def _ingest(services: Services, plan_: SourcePlan, strict: bool, allow_shrink: bool) -> RunReport:
    with services.write_lock:
        outcome = ingest_sources(
            services.store, [plan_], services.settings.reports_dir, strict=strict, allow_shrink=allow_shrink
        )
    report = outcome.reports[0]
    if report.status == "refused-shrink":
        raise Problem(
            409, "Conflict", report.message, kind="would-remove-records",
            would_remove={t: {"removed": gone, "published": have} for t, (gone, have) in report.would_remove.items()},
        )  # fmt: skip
    return report


def _problems(report: RunReport) -> list[dict[str, object]]:
    if not report.rejects_file:
        return []
    lines = Path(report.rejects_file).read_text(encoding="utf-8").splitlines()[:PROBLEMS_SHOWN]
    return [json.loads(line) for line in lines]


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
) -> IngestOut:
    """Validated like every ingest: invalid records are rejected (listed in ``problems`` with line, record and
    field), valid ones published atomically as the source's new graph. The search index refreshes in the
    background."""
    if format is not None and format not in FORMAT_NAMES:
        raise Problem(422, "Invalid request", f"unknown format {format!r}; use one of {', '.join(FORMAT_NAMES)}")
    filename = SAFE_NAME.sub("_", Path(file.filename or "upload").name).lstrip(".") or "upload"
    name = _source_for(caller, source, filename)
    with tempfile.TemporaryDirectory(prefix="sharekg-upload-") as folder:
        path = Path(folder) / filename
        with path.open("wb") as out:
            while chunk := await file.read(CHUNK):
                out.write(chunk)
        plans = plan([path], name, format)
        await run_in_threadpool(_check_scope, services, caller, plans[0])
        report = await run_in_threadpool(_ingest, services, plans[0], strict, allow_shrink)
    index = "unchanged"
    if report.status == "loaded":
        services.refresh_index_in_background()
        index = "refreshing"
    return IngestOut(
        source=report.source, status=report.status, read=report.read, loaded=report.loaded, rejected=report.rejected,
        warnings=report.warnings, triples=report.triples, problems=_problems(report), index=index,
        message=report.message,
    )  # fmt: skip
