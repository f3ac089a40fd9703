"""Matching plus logging the demand, as one call with one top-k (``TOP_PER_TYPE`` results of each type), and the
bounds that keep anonymous callers from filling the log; reverse matching over the vectors the log stores.

``DemandIntake`` is what the service (``POST /match``) and the command line (``sharekg match``) both call. The
decisions it holds:

- **Over a limit the match is still answered; only the logging is skipped**, and ``LoggedMatch.logged`` says why
  (``rate-limited``, ``daily-cap``). A flood from one client never costs another student an answer, and a 429 would
  tell a flooder nothing a bounded log does not.
- **Per-client rate**: a token bucket per client address (``rate_per_minute`` refill, ``burst`` tokens), in memory
  only. The address is never written anywhere; behind a reverse proxy every request comes from the proxy's address,
  so the proxy must limit per client itself (docs/security.md).
- **Deduplication**: the same need (case and spacing aside) from the same client within ``dedupe_hours`` is logged
  once; the repeat is answered with the first one's id. In memory: a restart forgets the window.
- **Caps**: the stored text is cut to ``max_chars`` characters (the vector is of the need as matched: the model reads
  its first few hundred words only); at most ``max_per_day`` requests a UTC day from all clients together, so the log
  holds at most that times the retention period.
- **Personal data is opt-in**: a team's name, organisation and contact are stored only when ``Asker.consent`` is
  true; without it the need is logged anonymously.
- **Encoded once**: the need's vector is stored with it; ``reverse`` reads stored vectors, encoding only rows
  logged without one (once, then stored) and contest entries' stated needs (once per text, kept in memory).
  Logging a need costs no model call: the vector is the one the match computed (``MatchResponse.vector``).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Literal

import numpy as np

from graph.centre.demand import TOP_PER_TYPE, DemandLog, top_results
from graph.errors import InputError, MatchError
from graph.search import Filters, Matcher, MatchResponse, NeedMatch, TeamPlace

Logged = Literal["logged", "duplicate", "rate-limited", "daily-cap"]
#: Client buckets kept before full ones (equal to a new bucket) are dropped, and stated needs' vectors kept.
MAX_TRACKED = 10_000


@dataclass(frozen=True, slots=True)
class LogLimits:
    """How much one client, and everyone together, may add to the demand log (see the module docstring)."""

    rate_per_minute: float = 2.0
    burst: int = 20
    max_chars: int = 2_000
    max_per_day: int = 5_000
    dedupe_hours: float = 24.0

    def __post_init__(self) -> None:
        if self.rate_per_minute <= 0 or self.burst < 1 or self.max_chars < 1 or self.max_per_day < 1:
            raise InputError(f"demand log limits {self}: each must be positive (burst and caps at least 1)")
        if self.dedupe_hours < 0:
            raise InputError(f"dedupe_hours is {self.dedupe_hours}; give 0 (no deduplication) or more hours")


@dataclass(frozen=True, slots=True)
class Asker:
    """Who sent a need: the client it came from (for the limits only, never stored) and, stored only with
    ``consent``, the team's name, organisation and contact."""

    client: str = ""
    team: str | None = None
    organization: str | None = None
    contact: str | None = None
    consent: bool = False


@dataclass(frozen=True, slots=True)
class LoggedMatch:
    response: MatchResponse
    need_id: int | None  # the logged request's id (the earlier one's for a duplicate); None when not logged
    logged: Logged


class DemandIntake:
    """Matches needs and logs them within ``limits``; one per service (its buckets and dedupe window are in memory).
    ``clock`` (seconds, monotonic) and ``now`` (aware) are the time sources, passed in so tests can step them."""

    def __init__(
        self,
        log: DemandLog,
        limits: LogLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.log = log
        self.limits = limits or LogLimits()
        self._clock, self._now = clock, now
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._seen: dict[tuple[str, str], tuple[int | None, float]] = {}  # (client, need hash) -> (id, at)
        self._stated: dict[str, np.ndarray] = {}  # stated needs' vectors by text

    def match(
        self,
        matcher: Matcher,
        text: str,
        filters: Filters | None = None,
        k: int = 10,
        asker: Asker | None = None,
        team: TeamPlace | None = None,
    ) -> LoggedMatch:
        filters = filters or Filters()
        response = matcher.match(text, filters, k, team)
        return self.record(matcher, response, filters, asker or Asker())

    async def match_async(
        self,
        matcher: Matcher,
        text: str,
        filters: Filters | None = None,
        k: int = 10,
        asker: Asker | None = None,
        team: TeamPlace | None = None,
    ) -> LoggedMatch:
        """``match`` for an async handler: ranking on the event loop, the log write (SQLite, a lock a centre report
        may hold, and the need's vector) on a worker thread."""
        filters = filters or Filters()
        response = await matcher.match_async(text, filters, k, team)
        return await asyncio.to_thread(self.record, matcher, response, filters, asker or Asker())

    def record(self, matcher: Matcher, response: MatchResponse, filters: Filters, asker: Asker) -> LoggedMatch:
        """Log ``response`` (its first ``TOP_PER_TYPE`` results per type) unless a limit says not to."""
        key = (asker.client, hashlib.sha256(" ".join(response.need.casefold().split()).encode()).hexdigest())
        verdict = self._admit(key)
        if verdict is not None:
            return LoggedMatch(response, *verdict)
        personal = (asker.team, asker.organization, asker.contact) if asker.consent else (None, None, None)
        try:
            need_id = self.log.record(
                response.need[: self.limits.max_chars],
                {k: v for k, v in asdict(filters).items() if v},
                top_results(response, TOP_PER_TYPE),
                team=personal[0],
                organization=personal[1],
                contact=personal[2],
                asked_at=self._now(),
                vector=_vector(matcher, response),
                model=matcher.encoder.name,
            )
        except BaseException:
            with self._lock:
                self._seen.pop(key, None)
            raise
        with self._lock:
            self._seen[key] = (need_id, self._clock())
        return LoggedMatch(response, need_id, "logged")

    def _admit(self, key: tuple[str, str]) -> tuple[int | None, Logged] | None:
        """None when the request may be logged (its token taken, its dedupe entry reserved), else what to answer."""
        now = self._clock()
        window = self.limits.dedupe_hours * 3600
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen[1] < window:
                return seen[0], "duplicate"
            if self.log.logged_since(self._day_start()) >= self.limits.max_per_day:
                return None, "daily-cap"
            if not self._take(key[0], now):
                return None, "rate-limited"
            if window > 0:
                self._seen[key] = (None, now)  # a repeat while this one is being written is a duplicate too
                if len(self._seen) > MAX_TRACKED:
                    self._seen = {k: v for k, v in self._seen.items() if now - v[1] < window}
        return None

    def _take(self, client: str, now: float) -> bool:
        tokens, at = self._buckets.get(client, (float(self.limits.burst), now))
        tokens = min(float(self.limits.burst), tokens + (now - at) * self.limits.rate_per_minute / 60)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1, now)
        if len(self._buckets) > MAX_TRACKED:  # a bucket refilled to the brim is the same as none
            self._buckets = {c: b for c, b in self._buckets.items() if self._refilled(b, now) < self.limits.burst}
        return True

    def _refilled(self, bucket: tuple[float, float], now: float) -> float:
        return bucket[0] + (now - bucket[1]) * self.limits.rate_per_minute / 60

    def _day_start(self) -> datetime:
        return self._now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    # ---- reverse matching ---------------------------------------------------------------------

    def reverse(
        self, matcher: Matcher, iri: str, stated: Sequence[tuple[str, str]] = (), k: int = 10
    ) -> list[NeedMatch]:
        """The logged needs, and the ``stated`` ones (id, text: contest entries'), that the resource ``iri`` fits
        best, the ones it stands out for most among its kind first (``Matcher.standout``), with the terms they share.
        Logged needs are compared by their stored vectors."""
        if iri not in matcher.index.position:
            raise MatchError(f"no resource {iri} in the index; check the IRI or run `sharekg index`")
        needs = self.log.needs()
        stored = self.log.vectors((n.id for n in needs), matcher.encoder)
        texts = [(str(n.id), n.text) for n in needs if n.id in stored] + list(stated)
        if not texts:
            return []
        matrix = np.stack([stored[n.id] for n in needs if n.id in stored] + self._stated_vectors(matcher, stated))
        return matcher.needs_ranked(iri, texts, matrix, k)

    def _stated_vectors(self, matcher: Matcher, stated: Sequence[tuple[str, str]]) -> list[np.ndarray]:
        """The stated needs' vectors, each text encoded once per model and kept (at most ``MAX_TRACKED``)."""
        key = matcher.encoder.name + "\n"
        with self._lock:
            known = {text: self._stated[key + text] for _, text in stated if key + text in self._stated}
        missing = sorted({text for _, text in stated} - known.keys())
        if missing:
            known.update((text, matcher.encode_need(text)) for text in missing)
            with self._lock:
                if len(self._stated) + len(missing) > MAX_TRACKED:
                    self._stated.clear()
                self._stated.update((key + t, known[t]) for t in missing)
        return [known[text] for _, text in stated]


__all__ = ["Asker", "DemandIntake", "LogLimits", "Logged", "LoggedMatch"]


def _vector(matcher: Matcher, response: MatchResponse) -> np.ndarray:
    """The need's vector as it was matched (for a need in Chinese, its English gloss's)."""
    return response.vector if response.vector is not None else matcher.encode_need(response.need)
