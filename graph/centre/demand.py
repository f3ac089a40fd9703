"""The demand log: every need a team sent, what it asked for and what it got (SQLite beside the store).

Reverse matching reads it ("which needs does this instrument fit?"); the resource-centre analytics
(under-used assets, unmet needs) build on it. Each request keeps its text, filters, time and the top results
per resource type with their rank, the matcher's score and the cosine similarity between need and resource.
Personal data (team, organisation, contact) is stored only when the caller passes it (the service passes it only
when the team consented: see ``graph.centre.intake``); ``erase`` deletes a team's or a contact's rows, overwriting
them (``secure_delete``) rather than leaving them in free pages. With a retention period the log deletes older
requests when it opens and whenever it records one. The file (and its ``-wal`` and ``-shm`` files) is readable and
writable by its owner only: it holds students' unpublished ideas.

Each need's vector (float32, with the model's name) is stored when it is logged, so reverse matching and the unmet
needs report never encode a logged need again; ``vectors`` encodes only rows stored without one (or by another
model), and stores what it encoded.

Times are UTC and stored as ISO 8601 text (``2026-03-01T09:30:00+00:00``), so they compare as strings.

Schema versions (``PRAGMA user_version``): 0 is the first file layout (a ``needs`` table whose ``top`` column
holds ``[[iri, score], ...]``); 2 adds the personal-data columns and a ``results`` table, one row per returned
resource; 3 adds the need's ``vector`` and its ``model``; 4 adds each result's ``fit`` (the calibrated fit the team
was shown, ``graph.search.fit``) and ``presented``: 1 where the matcher presented it as a match, 0 where it was one
of the closest few shown because nothing of its type fitted the need well; both NULL for results logged before.
Old files are migrated in place, in one transaction, when opened (their needs get vectors when first read through
``vectors``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from graph.errors import InputError
from graph.search import Embedder, MatchResponse, fit_of_evidence

SCHEMA_VERSION = 4
#: The cosine below which a result rarely fits the need: read off the real model on real need texts (see
#: graph.centre.unmet, whose default threshold it is). Results logged before the log kept whether each was presented
#: as a match count as demand only this close, where the cosine was logged; results logged without one are kept, as
#: there is nothing to judge them by. Later results count when they were presented.
MIN_FIT = 0.45
#: Results per type logged of a response, by the service and the command line alike (``graph.centre.intake``):
#: enough to say what a need fitted (the under-used report counts each), small to store.
TOP_PER_TYPE = 5
#: Files of one SQLite log: the database, and beside it in write-ahead mode its log and shared-memory index.
SIDE_FILES = ("-wal", "-shm")
OWNER_ONLY = 0o600
#: Ids per ``IN (...)`` list when reading vectors (SQLite's default limit on variables is far above it).
ID_CHUNK = 500

_TABLES = """
CREATE TABLE IF NOT EXISTS needs (
    id INTEGER PRIMARY KEY, text TEXT NOT NULL, asked_at TEXT NOT NULL, filters TEXT NOT NULL,
    team TEXT, organization TEXT, contact TEXT, vector BLOB, model TEXT);
CREATE INDEX IF NOT EXISTS needs_asked_at ON needs (asked_at);
CREATE TABLE IF NOT EXISTS results (
    need_id INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE, iri TEXT NOT NULL, type TEXT NOT NULL,
    rank INTEGER NOT NULL, score REAL NOT NULL, cosine REAL, fit REAL, presented INTEGER,
    PRIMARY KEY (need_id, type, rank));
CREATE INDEX IF NOT EXISTS results_iri ON results (iri);
"""
INSERT_NEED = """INSERT INTO needs (text, asked_at, filters, team, organization, contact, vector, model)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
VECTORS_QUERY = "SELECT id, text, vector, model FROM needs WHERE id IN ({ids})"
STORE_VECTOR = "UPDATE needs SET vector = ?, model = ? WHERE id = ?"
COUNT_SINCE = "SELECT count(*) FROM needs WHERE asked_at >= ?"
#: Personal data is matched without regard to case or surrounding space: an erasure request spells it as it likes.
ERASE = {
    "team": "DELETE FROM needs WHERE lower(trim(team)) = lower(trim(?))",
    "contact": "DELETE FROM needs WHERE lower(trim(contact)) = lower(trim(?))",
}
INSERT_RESULT = """INSERT INTO results (need_id, iri, type, rank, score, cosine, fit, presented)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
NEEDS_QUERY = "SELECT id, text, asked_at, filters, team, organization, contact FROM needs {where} ORDER BY id"
#: Results with their request, in the order logged; ``{where}`` filters on ``n.asked_at``.
RESULTS_QUERY = """SELECT r.need_id, r.iri, r.type, r.rank, r.score, r.cosine, r.fit, r.presented
FROM results r JOIN needs n ON n.id = r.need_id {where} ORDER BY r.need_id, r.rowid"""


@dataclass(frozen=True, slots=True)
class TopResult:
    """One resource a need was answered with."""

    iri: str
    score: float  # the matcher's score (its fit times re-ranking factors; once a fused rank score): within one request
    type: str = ""  # Instrument | Facility | Dataset | Expert; "" in requests logged before types were kept
    rank: int = 0  # 1-based rank within its type (for old untyped records: the position in the list logged)
    cosine: float | None = None  # cosine similarity of need and resource: comparable across requests
    #: presented as a match (True), or shown as one of the closest because nothing of its type fitted the need well
    #: (False); None in requests logged before the log kept it
    presented: bool | None = None
    fit: float | None = None  # the calibrated fit the team was shown (0 to 1); None in requests logged before

    @property
    def shown_fit(self) -> float:
        """Its fit: as the team was shown it, or, logged before fits were kept, read from its cosine by the same
        calibration (as if its evidence were its similarity alone: no graph or shared terms), or, logged before
        cosines were kept, the matcher's score."""
        if self.fit is not None:
            return self.fit
        if self.cosine is not None:
            return float(fit_of_evidence(self.cosine))
        return self.score

    def is_demand(self, min_fit: float | None = MIN_FIT) -> bool:
        """Whether it counts as demand for its resource: presented as a match; logged before that was kept, at a
        cosine of at least ``min_fit`` (or without a cosine); ``min_fit`` None counts every logged result."""
        if min_fit is None:
            return True
        if self.presented is not None:
            return self.presented
        return self.cosine is None or self.cosine >= min_fit


@dataclass(frozen=True, slots=True)
class LoggedNeed:
    id: int
    text: str
    asked_at: str  # UTC, ISO 8601
    filters: dict[str, object]
    top: list[tuple[str, float]]  # (resource IRI, score) of the best results returned, in the order logged
    results: tuple[TopResult, ...] = ()
    team: str | None = None  # personal data: present only when the caller sent it
    organization: str | None = None
    contact: str | None = None

    @property
    def best_cosine(self) -> float | None:
        """The closest fit the need was given (None when no result carried a cosine)."""
        cosines = [r.cosine for r in self.results if r.cosine is not None]
        return max(cosines) if cosines else None

    @property
    def nothing_fitted(self) -> bool | None:
        """Whether the matcher told the need that nothing fits it well in every type it answered (no result
        presented as a match); None when none of its results says (logged before schema version 4, or none logged)."""
        said = [r.presented for r in self.results if r.presented is not None]
        return not any(said) if said else None


@dataclass(frozen=True, slots=True)
class ResourceDemand:
    """How often and how strongly one resource matched logged needs.

    ``fit_sum`` adds, per need, its fit (``TopResult.shown_fit``: the chance that the resource is one the need
    wanted), so it is the demand *strength*, the number of needs the resource can be expected to have fitted: many
    needs it fitted well weigh most.
    """

    iri: str
    type: str
    needs: int  # distinct needs that had the resource among their top results
    score_sum: float
    score_mean: float
    cosine_mean: float | None  # over the needs that logged a cosine
    best_rank: int  # best (lowest) rank it reached
    fit_sum: float
    need_ids: tuple[int, ...] = field(default=())


class DemandLog:
    """The log of match requests in one SQLite file; ``retention_days`` deletes older ones as it goes. One log
    may serve several threads (the API's workers): each write is one transaction, each read one consistent view."""

    def __init__(self, path: Path, *, retention_days: int | None = None) -> None:
        if retention_days is not None and retention_days < 1:
            raise InputError(f"retention_days is {retention_days}; keep requests for at least 1 day, or pass None")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.retention_days = retention_days
        self._lock = threading.RLock()
        _create_owner_only(path)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not left in free pages
        # Write-ahead log, synced at checkpoints: a logged request costs no fsync of its own on the request path
        # (a crash may lose the last requests, never corrupt the log)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        _migrate(self._db)
        _restrict(path)  # SQLite makes the -wal and -shm files like the database; older files are tightened here
        self._apply_retention()

    # ---- writing ------------------------------------------------------------------------------

    def record(
        self,
        text: str,
        filters: Mapping[str, object],
        top: Iterable[tuple[str, float] | TopResult],
        *,
        team: str | None = None,
        organization: str | None = None,
        contact: str | None = None,
        asked_at: datetime | None = None,
        vector: np.ndarray | None = None,
        model: str | None = None,
    ) -> int:
        """Log one request; returns its id. ``top`` holds ``TopResult`` items (see ``top_results``) or, as
        older callers send, ``(iri, score)`` pairs. ``team``, ``organization`` and ``contact`` are personal data,
        kept only when given. ``asked_at`` (default now) must carry a time zone. ``vector`` is the need's
        (L2-normalised, by ``model``, which must then be named)."""
        when = _utc(asked_at) if asked_at is not None else datetime.now(UTC)
        results = _normalise(top)
        if vector is not None and not model:
            raise InputError("a need's vector was given without the model that made it; pass model= too")
        blob = _blob(vector) if vector is not None else None
        with self._lock, self._db:
            row = (text, _iso(when), json.dumps(dict(filters)), team, organization, contact, blob, model)
            need_id = int(self._db.execute(INSERT_NEED, row).lastrowid or 0)
            self._db.executemany(INSERT_RESULT, [(need_id, *_row(r)) for r in results])
        self._apply_retention()
        return need_id

    def purge(self, older_than_days: int, *, now: datetime | None = None) -> int:
        """Delete requests asked more than ``older_than_days`` days before ``now`` (default: the current time),
        with their results; returns how many requests were deleted."""
        if older_than_days < 0:
            raise InputError(f"older_than_days is {older_than_days}; give 0 or more days")
        cutoff = (_utc(now) if now is not None else datetime.now(UTC)) - timedelta(days=older_than_days)
        with self._lock, self._db:
            cursor = self._db.execute("DELETE FROM needs WHERE asked_at < ?", (_iso(cutoff),))
        return cursor.rowcount

    def erase(self, *, team: str | None = None, contact: str | None = None) -> int:
        """Delete every request logged with this team name or this contact (case and surrounding space aside), with
        its results; returns how many requests were erased. The deleted rows are overwritten and the write-ahead
        log truncated, so nothing of them stays in the files."""
        if (team is None) == (contact is None) or not (team or contact or "").strip():
            raise InputError("name one team or one contact whose logged requests to erase")
        field_name, value = ("team", team) if team is not None else ("contact", contact)
        with self._lock:
            with self._db:
                erased = self._db.execute(ERASE[field_name], (value,)).rowcount
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return erased

    def logged_since(self, moment: datetime) -> int:
        """How many requests were logged at or after ``moment`` (the daily cap counts with it)."""
        with self._lock:
            return int(self._db.execute(COUNT_SINCE, (_iso(_utc(moment)),)).fetchone()[0])

    def _apply_retention(self) -> None:
        if self.retention_days is not None:
            self.purge(self.retention_days)

    def vectors(self, ids: Iterable[int], embedder: Embedder) -> dict[int, np.ndarray]:
        """The stored vector of each of the needs ``ids`` (those still logged). Rows stored without one, or by another
        model than ``embedder``'s, are encoded now, in one call, and their vectors stored."""
        wanted = sorted(set(ids))
        found: dict[int, np.ndarray] = {}
        lacking: list[tuple[int, str]] = []
        with self._lock:
            for start in range(0, len(wanted), ID_CHUNK):
                chunk = wanted[start : start + ID_CHUNK]
                query = VECTORS_QUERY.format(ids=", ".join("?" * len(chunk)))
                for need_id, text, blob, model in self._db.execute(query, chunk):
                    if blob is not None and model == embedder.name and len(blob) == 4 * embedder.dim:
                        found[int(need_id)] = np.frombuffer(blob, dtype=np.float32)
                    else:
                        lacking.append((int(need_id), text))
        if lacking:
            encoded = embedder.encode([text for _, text in lacking])
            with self._lock, self._db:
                self._db.executemany(
                    STORE_VECTOR, [(_blob(v), embedder.name, i) for (i, _), v in zip(lacking, encoded, strict=True)]
                )
            found.update((i, np.asarray(v, dtype=np.float32)) for (i, _), v in zip(lacking, encoded, strict=True))
        return found

    # ---- reading ------------------------------------------------------------------------------

    def needs(self, since: datetime | None = None, until: datetime | None = None) -> list[LoggedNeed]:
        """Logged needs in order, those asked at or after ``since`` and before ``until`` when given."""
        where, args = _window(since, until)
        with self._lock:
            rows = self._db.execute(NEEDS_QUERY.format(where=where), args).fetchall()
            logged = self._results(since, until) if rows else []
        results: dict[int, list[TopResult]] = {}
        for need_id, result in logged:
            results.setdefault(need_id, []).append(result)
        needs = []
        for need_id, text, asked, filters, team, organization, contact in rows:
            top = tuple(results.get(need_id, []))
            pairs = [(r.iri, r.score) for r in top]
            needs.append(LoggedNeed(need_id, text, asked, json.loads(filters), pairs, top, team, organization, contact))
        return needs

    def _results(self, since: datetime | None, until: datetime | None) -> list[tuple[int, TopResult]]:
        """(need id, result) of the requests in the window, in the order logged."""
        where, args = _window(since, until, "n.asked_at")
        with self._lock:
            rows = self._db.execute(RESULTS_QUERY.format(where=where), args).fetchall()
        return [
            (int(n), TopResult(iri, float(score), t, int(rank), cosine, None if shown is None else bool(shown), fit))
            for n, iri, t, rank, score, cosine, fit, shown in rows
        ]

    def demand(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        types: Sequence[str] = (),
        min_fit: float | None = MIN_FIT,
    ) -> list[ResourceDemand]:
        """Per resource: the needs in the window that had it among their top results presented as a match, and how
        strongly; the strongest demand (``fit_sum``) first, ties by IRI. A result logged without saying whether it
        was presented (before schema version 4) counts at a cosine of at least ``min_fit``; ``min_fit`` None counts
        every logged result, the closest shown where nothing fitted too. ``types`` keeps only results of those
        types."""
        per: dict[str, list[tuple[int, TopResult]]] = {}
        for need_id, r in self._results(since, until):
            if r.is_demand(min_fit) and (not types or r.type in types):
                per.setdefault(r.iri, []).append((need_id, r))
        found = [_demand_of(iri, hits) for iri, hits in per.items()]
        found.sort(key=lambda d: (-d.fit_sum, d.iri))
        return found

    def close(self) -> None:
        with self._lock:
            self._db.close()


def top_results(response: MatchResponse, per_type: int = TOP_PER_TYPE) -> list[TopResult]:
    """What to log of a match response: the first ``per_type`` results of each type, with rank, cosine and whether
    they were presented as matches (not where the response says that nothing of the type fits the need well)."""
    return [
        TopResult(
            r.iri,
            r.score,
            type_name,
            rank,
            r.explanation.signals.get("cosine"),
            not response.notes.get(type_name),
            r.fit,
        )
        for type_name, results in response.results.items()
        for rank, r in enumerate(results[:per_type], start=1)
    ]


def _demand_of(iri: str, hits: list[tuple[int, TopResult]]) -> ResourceDemand:
    best: dict[int, TopResult] = {}  # one hit per need: its best rank
    for need_id, r in hits:
        if need_id not in best or r.rank < best[need_id].rank:
            best[need_id] = r
    kept = list(best.values())
    scores = [r.score for r in kept]
    cosines = [r.cosine for r in kept if r.cosine is not None]
    return ResourceDemand(
        iri=iri,
        type=next((r.type for r in kept if r.type), ""),
        needs=len(kept),
        score_sum=sum(scores),
        score_mean=sum(scores) / len(scores),
        cosine_mean=sum(cosines) / len(cosines) if cosines else None,
        best_rank=min(r.rank for r in kept),
        fit_sum=sum(r.shown_fit for r in kept),
        need_ids=tuple(sorted(best)),
    )


def _normalise(top: Iterable[tuple[str, float] | TopResult]) -> list[TopResult]:
    """Every item with a rank unique within its type: an item without one (or repeating one) takes the next free
    rank, so ``(iri, score)`` pairs are ranked by their position in the list."""
    out: list[TopResult] = []
    taken: dict[str, set[int]] = {}
    for item in top:
        r = item if isinstance(item, TopResult) else TopResult(str(item[0]), float(item[1]))
        used = taken.setdefault(r.type, set())
        rank = r.rank if r.rank > 0 and r.rank not in used else max(used, default=0) + 1
        used.add(rank)
        out.append(replace(r, rank=rank))
    return out


def _row(r: TopResult) -> tuple[object, ...]:
    """A result as ``INSERT_RESULT`` stores it, after its need's id."""
    return (r.iri, r.type, r.rank, r.score, r.cosine, r.fit, None if r.presented is None else int(r.presented))


def _blob(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype=np.float32).tobytes()


def _create_owner_only(path: Path) -> None:
    """Create the database file readable and writable by its owner only, before SQLite opens it (SQLite then
    gives its -wal and -shm files the same mode)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, OWNER_ONLY))


def _restrict(path: Path) -> None:
    for name in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        if name.exists():
            name.chmod(OWNER_ONLY)


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the file to ``SCHEMA_VERSION`` in one transaction (DDL included: SQLite rolls it back too)."""
    if int(db.execute("PRAGMA user_version").fetchone()[0]) >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        columns = {row[1] for row in db.execute("PRAGMA table_info(needs)")}
        if "top" in columns:  # version 0: move into the new layout, one results row per logged pair
            db.execute("ALTER TABLE needs RENAME TO needs_v0")
        elif columns and "vector" not in columns:  # version 2: the need's vector and its model
            db.execute("ALTER TABLE needs ADD COLUMN vector BLOB")
            db.execute("ALTER TABLE needs ADD COLUMN model TEXT")
        kept = {row[1] for row in db.execute("PRAGMA table_info(results)")}
        if kept and "presented" not in kept:  # versions 2 and 3: each result's fit, and whether it was presented
            db.execute("ALTER TABLE results ADD COLUMN fit REAL")
            db.execute("ALTER TABLE results ADD COLUMN presented INTEGER")
        for statement in _TABLES.split(";"):
            if statement.strip():
                db.execute(statement)
        if "top" in columns:
            db.execute(
                "INSERT INTO needs (id, text, asked_at, filters) SELECT id, text, asked_at, filters FROM needs_v0"
            )
            for need_id, top in db.execute("SELECT id, top FROM needs_v0").fetchall():
                pairs = [(need_id, str(t[0]), "", rank, float(t[1])) for rank, t in enumerate(json.loads(top), 1)]
                db.executemany("INSERT INTO results (need_id, iri, type, rank, score) VALUES (?, ?, ?, ?, ?)", pairs)
            db.execute("DROP TABLE needs_v0")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _window(since: datetime | None, until: datetime | None, column: str = "asked_at") -> tuple[str, list[str]]:
    """A WHERE clause keeping requests asked at or after ``since`` and before ``until``."""
    clauses, args = [], []
    if since is not None:
        clauses.append(f"{column} >= ?")
        args.append(_iso(_utc(since)))
    if until is not None:  # times are kept to the second: a need asked in until's own second counts as before it
        clauses.append(f"{column} < ?")
        end = _utc(until)
        args.append(_iso(end + timedelta(seconds=1) if end.microsecond else end))
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", args


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise InputError(f"the time {moment.isoformat()} has no time zone; give an aware datetime (e.g. UTC)")
    return moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


__all__ = [
    "MIN_FIT",
    "SCHEMA_VERSION",
    "SIDE_FILES",
    "TOP_PER_TYPE",
    "DemandLog",
    "LoggedNeed",
    "ResourceDemand",
    "TopResult",
    "top_results",
]
