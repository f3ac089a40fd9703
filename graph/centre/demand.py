"""The demand log: every need a team sent, what it asked for and what it got (SQLite beside the store).

Reverse matching reads it ("which needs does this instrument fit?"); the resource-centre analytics
(under-used assets, unmet needs) build on it. Each request keeps its text, filters, time and the top results
per resource type with their rank, the matcher's score and the cosine similarity between need and resource.
Personal data (team, organisation, contact) is stored only when the caller sends it. With a retention period
the log deletes older requests when it opens and whenever it records one.

Times are UTC and stored as ISO 8601 text (``2026-03-01T09:30:00+00:00``), so they compare as strings.

Schema versions (``PRAGMA user_version``): 0 is the first file layout (a ``needs`` table whose ``top`` column
holds ``[[iri, score], ...]``); 2 adds the personal-data columns and a ``results`` table, one row per returned
resource. Old files are migrated in place, in one transaction, when opened.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from graph.errors import InputError
from graph.search import MatchResponse

SCHEMA_VERSION = 2
#: The cosine below which a result rarely fits the need: read off the real model on real need texts (see
#: graph.unmet, whose default threshold it is). Demand counts only results at least this close, where the cosine
#: was logged; results logged without one are kept, as there is nothing to judge them by.
MIN_FIT = 0.45
#: Results per type ``top_results`` keeps from a response: enough to say what a need fitted, small to store.
TOP_PER_TYPE = 3

_TABLES = """
CREATE TABLE IF NOT EXISTS needs (
    id INTEGER PRIMARY KEY, text TEXT NOT NULL, asked_at TEXT NOT NULL, filters TEXT NOT NULL,
    team TEXT, organization TEXT, contact TEXT);
CREATE INDEX IF NOT EXISTS needs_asked_at ON needs (asked_at);
CREATE TABLE IF NOT EXISTS results (
    need_id INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE, iri TEXT NOT NULL, type TEXT NOT NULL,
    rank INTEGER NOT NULL, score REAL NOT NULL, cosine REAL, PRIMARY KEY (need_id, type, rank));
CREATE INDEX IF NOT EXISTS results_iri ON results (iri);
"""
INSERT_NEED = "INSERT INTO needs (text, asked_at, filters, team, organization, contact) VALUES (?, ?, ?, ?, ?, ?)"
INSERT_RESULT = "INSERT INTO results (need_id, iri, type, rank, score, cosine) VALUES (?, ?, ?, ?, ?, ?)"
NEEDS_QUERY = "SELECT id, text, asked_at, filters, team, organization, contact FROM needs {where} ORDER BY id"
#: Results with their request, in the order logged; ``{where}`` filters on ``n.asked_at``.
RESULTS_QUERY = """SELECT r.need_id, r.iri, r.type, r.rank, r.score, r.cosine
FROM results r JOIN needs n ON n.id = r.need_id {where} ORDER BY r.need_id, r.rowid"""


@dataclass(frozen=True, slots=True)
class TopResult:
    """One resource a need was answered with."""

    iri: str
    score: float  # the matcher's score (fused rank score times re-ranking factors): comparable within one request
    type: str = ""  # Instrument | Facility | Dataset | Expert; "" in requests logged before types were kept
    rank: int = 0  # 1-based rank within its type (for old untyped records: the position in the list logged)
    cosine: float | None = None  # cosine similarity of need and resource: comparable across requests


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


@dataclass(frozen=True, slots=True)
class ResourceDemand:
    """How often and how strongly one resource matched logged needs.

    ``fit_sum`` adds, per need, the cosine similarity where it was logged and the matcher's score otherwise
    (requests logged before cosines were kept), so it is the demand *strength*: many close needs weigh most.
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
        self.retention_days = retention_days
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        # Write-ahead log, synced at checkpoints: a logged request costs no fsync of its own on the request path
        # (a crash may lose the last requests, never corrupt the log)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        _migrate(self._db)
        self._apply_retention()

    # ---- writing ------------------------------------------------------------------------------

    def record(
        self, text: str, filters: Mapping[str, object], top: Iterable[tuple[str, float] | TopResult], *,
        team: str | None = None, organization: str | None = None, contact: str | None = None,
        asked_at: datetime | None = None,
    ) -> int:  # fmt: skip
        """Log one request; returns its id. ``top`` holds ``TopResult`` items (see ``top_results``) or, as
        older callers send, ``(iri, score)`` pairs. ``team``, ``organization`` and ``contact`` are personal data,
        kept only when given. ``asked_at`` (default now) must carry a time zone."""
        when = _utc(asked_at) if asked_at is not None else datetime.now(UTC)
        results = _normalise(top)
        with self._lock, self._db:
            row = (text, _iso(when), json.dumps(dict(filters)), team, organization, contact)
            need_id = int(self._db.execute(INSERT_NEED, row).lastrowid or 0)
            self._db.executemany(INSERT_RESULT, [(need_id, r.iri, r.type, r.rank, r.score, r.cosine) for r in results])
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

    def _apply_retention(self) -> None:
        if self.retention_days is not None:
            self.purge(self.retention_days)

    # ---- reading ------------------------------------------------------------------------------

    def needs(self, since: datetime | None = None, until: datetime | None = None) -> list[LoggedNeed]:
        """Logged needs in order, those asked at or after ``since`` and before ``until`` when given."""
        where, args = _window(since, until)
        with self._lock:
            rows = self._db.execute(NEEDS_QUERY.format(where=where), args).fetchall()
            logged = self._results(since, until) if rows else []
        results: dict[int, list[TopResult]] = {}
        for need_id, iri, type_name, rank, score, cosine in logged:
            results.setdefault(need_id, []).append(TopResult(iri, score, type_name, rank, cosine))
        needs = []
        for need_id, text, asked, filters, team, organization, contact in rows:
            top = tuple(results.get(need_id, []))
            pairs = [(r.iri, r.score) for r in top]
            needs.append(LoggedNeed(need_id, text, asked, json.loads(filters), pairs, top, team, organization, contact))
        return needs

    def _results(
        self, since: datetime | None, until: datetime | None
    ) -> list[tuple[int, str, str, int, float, float | None]]:
        where, args = _window(since, until, "n.asked_at")
        with self._lock:
            rows = self._db.execute(RESULTS_QUERY.format(where=where), args).fetchall()
        return [(int(n), iri, t, int(rank), float(score), cosine) for n, iri, t, rank, score, cosine in rows]

    def demand(
        self, since: datetime | None = None, until: datetime | None = None, *, types: Sequence[str] = (),
        min_fit: float | None = MIN_FIT,
    ) -> list[ResourceDemand]:  # fmt: skip
        """Per resource: the needs in the window that had it among their top results at a cosine of at least
        ``min_fit`` (None: any), and how strongly; the strongest demand (``fit_sum``) first, ties by IRI.
        ``types`` keeps only results of those types."""
        per: dict[str, list[tuple[str, int, int, float, float | None]]] = {}
        for need_id, iri, type_name, rank, score, cosine in self._results(since, until):
            close = min_fit is None or cosine is None or cosine >= min_fit
            if close and (not types or type_name in types):
                per.setdefault(iri, []).append((type_name, need_id, rank, score, cosine))
        found = [_demand_of(iri, hits) for iri, hits in per.items()]
        found.sort(key=lambda d: (-d.fit_sum, d.iri))
        return found

    def close(self) -> None:
        with self._lock:
            self._db.close()


def top_results(response: MatchResponse, per_type: int = TOP_PER_TYPE) -> list[TopResult]:
    """What to log of a match response: the first ``per_type`` results of each type, with rank and cosine."""
    return [
        TopResult(r.iri, r.score, type_name, rank, r.explanation.signals.get("cosine"))
        for type_name, results in response.results.items()
        for rank, r in enumerate(results[:per_type], start=1)
    ]


def _demand_of(iri: str, hits: list[tuple[str, int, int, float, float | None]]) -> ResourceDemand:
    best: dict[int, tuple[str, int, float, float | None]] = {}  # one hit per need: its best rank
    for type_name, need_id, rank, score, cosine in hits:
        if need_id not in best or rank < best[need_id][1]:
            best[need_id] = (type_name, rank, score, cosine)
    kept = list(best.values())
    scores = [score for _, _, score, _ in kept]
    cosines = [c for _, _, _, c in kept if c is not None]
    return ResourceDemand(
        iri=iri, type=next((t for t, _, _, _ in kept if t), ""), needs=len(kept), score_sum=sum(scores),
        score_mean=sum(scores) / len(scores), cosine_mean=sum(cosines) / len(cosines) if cosines else None,
        best_rank=min(rank for _, rank, _, _ in kept),
        fit_sum=sum(c if c is not None else score for _, _, score, c in kept), need_ids=tuple(sorted(best)),
    )  # fmt: skip


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
        out.append(TopResult(r.iri, r.score, r.type, rank, r.cosine))
    return out


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the file to ``SCHEMA_VERSION`` in one transaction (DDL included: SQLite rolls it back too)."""
    if int(db.execute("PRAGMA user_version").fetchone()[0]) >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        columns = {row[1] for row in db.execute("PRAGMA table_info(needs)")}
        if "top" in columns:  # version 0: move into the new layout, one results row per logged pair
            db.execute("ALTER TABLE needs RENAME TO needs_v0")
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
    "TOP_PER_TYPE",
    "DemandLog",
    "LoggedNeed",
    "ResourceDemand",
    "TopResult",
    "top_results",
]
