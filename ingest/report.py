"""The run report: what an ingest read, loaded and rejected, written as JSON beside a rejects file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from graph.errors import RecordError


@dataclass(frozen=True)
class Reject:
    """One rejected record or one file-level warning, as written to the rejects file (one JSON object a line)."""

    source: str
    line: int | None
    record_id: str | None
    field: str | None
    reason: str
    severity: str = "error"  # "error": the record was not loaded; "warning": loaded, but look at this

    @classmethod
    def of(cls, error: RecordError) -> Reject:
        """The rejects row of a record that raised ``error``."""
        return cls(error.source, error.line, error.record_id, error.field, error.reason)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "record_id": self.record_id,
            "field": self.field,
            "reason": self.reason,
            "severity": self.severity,
        }

    def __str__(self) -> str:
        where = f"{self.source}" + (f", line {self.line}" if self.line is not None else "")
        what = (f" record {self.record_id!r}" if self.record_id else "") + (
            f" field {self.field!r}" if self.field else ""
        )
        return f"{where}:{what} {self.reason}"


@dataclass(frozen=True, slots=True)
class InputFile:
    path: str
    format: str
    sha256: str
    bytes: int


@dataclass(slots=True)
class LinkCounts:
    """How many nodes of two sources were found to be one entity, per rule."""

    by_rule: dict[str, int] = field(default_factory=dict)
    organizations_shared: int = 0  # organisations named alike by two or more sources (one IRI)


@dataclass(slots=True)
class RunReport:
    source: str
    run_id: str
    inputs: list[InputFile] = field(default_factory=list)
    status: str = "running"  # loaded | unchanged | failed | rejected-strict | refused-shrink
    started: str = ""
    ended: str = ""
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    warnings: int = 0
    triples: int = 0
    per_type: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    links: LinkCounts | None = None
    message: str = ""
    would_remove: dict[str, list[int]] = field(default_factory=dict)  # refused-shrink: type → [lost, published]
    rejects_file: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


class RejectsWriter:
    """Streams problems to ``<run>.rejects.jsonl`` as they happen and counts them."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._file: IO[str] | None = None
        self.errors = 0
        self.warnings = 0
        self.first: list[Reject] = []

    def add(self, problem: Reject) -> None:
        if problem.severity == "error":
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.first) < 20:
            self.first.append(problem)
        if self.path is not None:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("w", encoding="utf-8")
            self._file.write(json.dumps(problem.as_dict(), ensure_ascii=False) + "\n")

    def add_all(self, problems: Iterable[Reject]) -> None:
        for problem in problems:
            self.add(problem)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def write_report(report: RunReport, reports_dir: Path) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / f"{report.source}-{report.run_id}.json"
    path.write_text(report.to_json() + "\n", encoding="utf-8")
    return path
