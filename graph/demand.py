"""The demand log: every need a team sent, what it asked for and what it got (SQLite beside the store).

Reverse matching reads it ("which needs does this instrument fit?"); the resource-centre analytics
(under-used assets, unmet needs) build on it. Personal data is stored only if the caller sends it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class LoggedNeed:
    id: int
    text: str
    asked_at: str
    filters: dict[str, object]
    top: list[tuple[str, float]]  # (resource IRI, score) of the best results returned


class DemandLog:
    SCHEMA = """CREATE TABLE IF NOT EXISTS needs (
        id INTEGER PRIMARY KEY, text TEXT NOT NULL, asked_at TEXT NOT NULL, filters TEXT NOT NULL, top TEXT NOT NULL)"""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(self.SCHEMA)

    def record(self, text: str, filters: dict[str, object], top: Sequence[tuple[str, float]]) -> int:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO needs (text, asked_at, filters, top) VALUES (?, ?, ?, ?)",
                (text, now, json.dumps(filters), json.dumps(list(top))),
            )
        return int(cursor.lastrowid or 0)

    def needs(self) -> list[LoggedNeed]:
        rows = self._db.execute("SELECT id, text, asked_at, filters, top FROM needs ORDER BY id")
        return [
            LoggedNeed(i, text, asked, json.loads(filters), [(str(t[0]), float(t[1])) for t in json.loads(top)])
            for i, text, asked, filters, top in rows
        ]

    def close(self) -> None:
        self._db.close()


__all__ = ["DemandLog", "LoggedNeed"]
