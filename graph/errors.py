"""The one exception tree of sharekg.

Every error a user can meet is one of these; each carries the fields needed to act on it
and a message that says what failed, where, and what to do::

    SharekgError                      base of everything raised on purpose
    ├── InputError                    a whole input cannot be read (missing file, unknown format,
    │   │                             undecodable bytes, a mapping file that makes no sense)
    │   └── RecordError               one record is invalid: source, line, record_id, field, reason
    ├── StrictModeRejection           ``--strict`` was given and the input had rejects; nothing was written
    ├── ShrinkRefusal                 a run would remove most of a source's records; nothing was written
    ├── StoreError                    the graph store cannot be opened, read or written
    ├── MatchError                    a match request that cannot be answered as given (empty need, unknown type
    │                                 or filter value, k out of range)
    └── ConfigurationError            settings or command-line options that cannot work together

``ontology.terms.UnknownTermError`` (an ``AttributeError``) is raised when code asks the closed
vocabulary for a term the Turtle files do not define; it is a programming error, not user input.

A rejected record is not an exception but a row of the run's rejects file: ``ingest.report.Reject``
(``Reject.of(error)`` turns a ``RecordError`` into one).
"""

from __future__ import annotations


class SharekgError(Exception):
    """Base class of every error sharekg raises on purpose."""


class InputError(SharekgError):
    """A whole input (file, stream, mapping) cannot be read."""


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
        self.source = source
        self.line = line
        self.record_id = record_id
        self.field = field
        self.reason = reason
        where = source + (f", line {line}" if line is not None else "")
        what = (f" record {record_id!r}" if record_id else "") + (f" field {field!r}" if field else "")
        super().__init__(f"{where}:{what} {reason}")


class StrictModeRejection(SharekgError):
    """``--strict`` was given and the input had rejects (now, or when the unchanged input was last read); nothing
    was written."""


class ShrinkRefusal(SharekgError):
    """A run would remove most of a source's records (``ingest.shrink`` says when); nothing was written.

    ``removed`` maps each type that would lose nodes to (how many it would lose, how many it has now)."""

    def __init__(self, message: str, removed: dict[str, tuple[int, int]]) -> None:
        super().__init__(message)
        self.removed = removed


class StoreError(SharekgError):
    """The graph store cannot be opened, read or written."""


class MatchError(SharekgError):
    """A match request that cannot be answered as given; the message says what to change."""


class ConfigurationError(SharekgError):
    """Settings or options that cannot work; the message names the setting and the remedy."""
