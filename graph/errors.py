"""The one exception tree of sharekg.

Every error a user can meet is one of these; each carries the fields needed to act on it
and a message that says what failed, where, and what to do::

    SharekgError                      base of everything raised on purpose
    ├── InputError                    a whole input cannot be read (missing file, unknown format,
    │   │                             undecodable bytes, a mapping file that makes no sense)
    │   └── RecordError               one record is invalid: source, line, record_id, field, reason
    ├── StoreError                    the graph store cannot be opened, read or written
    ├── MatchError                    a match request that cannot be answered as given (empty need, unknown type
    │                                 or filter value, k out of range)
    └── ConfigurationError            settings or command-line options that cannot work together

``ontology.terms.UnknownTermError`` (an ``AttributeError``) is raised when code asks the closed
vocabulary for a term the Turtle files do not define; it is a programming error, not user input.
"""

from __future__ import annotations

from dataclasses import dataclass


class SharekgError(Exception):
    """Base class of every error sharekg raises on purpose."""


class InputError(SharekgError):
    """A whole input (file, stream, mapping) cannot be read."""


@dataclass(frozen=True)
class Problem:
    """One rejected record or one file-level warning, as written to the rejects file."""

    source: str
    line: int | None
    record_id: str | None
    field: str | None
    reason: str
    severity: str = "error"  # "error": the record was not loaded; "warning": loaded, but look at this

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


class RecordError(InputError):
    """One record cannot be used; carries where it is and which field is wrong."""

    def __init__(
        self,
        reason: str,
        *,
        source: str = "",
        line: int | None = None,
        record_id: str | None = None,
        field: str | None = None,
    ) -> None:
        self.problem = Problem(source, line, record_id, field, reason)
        super().__init__(str(self.problem))

    @property
    def field(self) -> str | None:
        return self.problem.field

    @property
    def reason(self) -> str:
        return self.problem.reason


class StoreError(SharekgError):
    """The graph store cannot be opened, read or written."""


class MatchError(SharekgError):
    """A match request that cannot be answered as given; the message says what to change."""


class ConfigurationError(SharekgError):
    """Settings or options that cannot work; the message names the setting and the remedy."""
