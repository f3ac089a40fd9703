"""The demand log keeps each need with its filters and top results, across reopenings; it stores personal data
only when sent, forgets requests past the retention period, migrates old files, and sums demand per resource; its
files are its owner's only, a team's or a contact's rows can be erased, and each need's vector is stored with it."""

from __future__ import annotations

import json
import sqlite3
import stat
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from graph.centre.demand import SCHEMA_VERSION, SIDE_FILES, DemandLog, TopResult, top_results
from graph.errors import InputError
from graph.search import Embedder
from graph.search.explain import Explanation
from graph.search.fit import NOTHING_FITS, fit_of_evidence
from graph.search.matcher import MatchResponse, MatchResult

NMR = "https://w3id.org/sharekg/id/instrument/nsf-mri/1726812"
XAS = "https://w3id.org/sharekg/id/instrument/xas-beamlines/ALS%2F10.3.2"
FACILITY = "https://w3id.org/sharekg/id/facility/xas-beamlines/ALS"
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def test_needs_are_kept_in_order(tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite")
    first = log.record("an NMR spectrometer", {"country": "USA"}, [("https://x/1", 0.5)])
    log.record("a flow cytometer", {}, [])
    log.close()
    reopened = DemandLog(tmp_path / "demand.sqlite")
    needs = reopened.needs()
    assert [n.text for n in needs] == ["an NMR spectrometer", "a flow cytometer"]
    assert needs[0].id == first and needs[0].filters == {"country": "USA"} and needs[0].top == [("https://x/1", 0.5)]
    reopened.close()


def test_typed_results_keep_rank_and_cosine(tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite")
    top = [
        TopResult(NMR, 0.031, "Instrument", 1, 0.62),
        TopResult(XAS, 0.020, "Instrument", 2, 0.41),
        TopResult(FACILITY, 0.028, "Facility", 1, 0.55),
    ]
    log.record("solid-state NMR of battery cathodes", {"types": ["Instrument", "Facility"]}, top)
    (need,) = log.needs()
    assert need.results == tuple(top)
    assert need.best_cosine == 0.62
    assert need.top == [(NMR, 0.031), (XAS, 0.020), (FACILITY, 0.028)]
    log.close()


def test_personal_data_is_absent_unless_sent(tmp_path: Path) -> None:
    path = tmp_path / "demand.sqlite"
    log = DemandLog(path)
    log.record("an anonymous need", {}, [])
    log.record(
        "a team's need",
        {},
        [],
        team="Team Perovskite",
        organization="University of St Andrews",
        contact="lead@example.org",
    )
    anonymous, sent = log.needs()
    log.close()
    assert (anonymous.team, anonymous.organization, anonymous.contact) == (None, None, None)
    assert (sent.team, sent.organization, sent.contact) == (
        "Team Perovskite",
        "University of St Andrews",
        "lead@example.org",
    )
    with sqlite3.connect(path) as db:  # nothing personal sits anywhere else in the file
        rows = db.execute("SELECT text, filters, team, organization, contact FROM needs ORDER BY id").fetchall()
    assert rows[0] == ("an anonymous need", "{}", None, None, None)


def test_purge_deletes_requests_older_than_the_period_with_their_results(tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite")
    log.record("old need", {}, [(NMR, 0.03)], asked_at=NOW - timedelta(days=400))
    log.record("recent need", {}, [(NMR, 0.03)], asked_at=NOW - timedelta(days=10))
    assert log.purge(365, now=NOW) == 1
    assert [n.text for n in log.needs()] == ["recent need"]
    assert [d.needs for d in log.demand()] == [1]  # the old request's results went with it
    assert log.purge(365, now=NOW) == 0
    log.close()


def test_retention_applies_on_open_and_on_record(tmp_path: Path) -> None:
    path = tmp_path / "demand.sqlite"
    log = DemandLog(path)
    log.record("long ago", {}, [], asked_at=datetime.now(UTC) - timedelta(days=40))
    log.close()
    kept = DemandLog(path, retention_days=60)
    assert [n.text for n in kept.needs()] == ["long ago"]
    kept.close()
    strict = DemandLog(path, retention_days=30)  # opening purges
    assert strict.needs() == []
    strict.record("older than the period", {}, [], asked_at=datetime.now(UTC) - timedelta(days=31))
    assert strict.needs() == []  # recording purges too
    strict.close()


def test_bad_retention_and_naive_times_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 1 day"):
        DemandLog(tmp_path / "d.sqlite", retention_days=0)
    log = DemandLog(tmp_path / "d.sqlite")
    with pytest.raises(InputError, match="no time zone"):
        log.record("need", {}, [], asked_at=datetime(2026, 1, 1))
    log.close()


def test_needs_in_a_time_window(tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite")
    for days in (90, 40, 5):
        log.record(f"{days} days ago", {}, [(NMR, 0.02)], asked_at=NOW - timedelta(days=days))
    window = log.needs(since=NOW - timedelta(days=60), until=NOW - timedelta(days=5))
    assert [n.text for n in window] == ["40 days ago"]  # since is inclusive, until exclusive
    assert window[0].top == [(NMR, 0.02)]
    log.close()


def test_demand_per_resource_counts_needs_and_sums_fit(tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite")
    instrument = "Instrument"
    log.record("need one", {}, [TopResult(NMR, 0.03, instrument, 1, 0.6), TopResult(XAS, 0.02, instrument, 2, 0.4)])
    log.record("need two", {}, [TopResult(XAS, 0.03, instrument, 1, 0.35), TopResult(NMR, 0.02, instrument, 3, 0.3)])
    log.record("need three", {}, [TopResult(FACILITY, 0.03, "Facility", 1, 0.45)])
    demand = {d.iri: d for d in log.demand(min_fit=None)}
    nmr = demand[NMR]
    assert (nmr.type, nmr.needs, nmr.best_rank) == ("Instrument", 2, 1)
    # logged without fits, as before they were kept: each read from its cosine by the calibration
    assert nmr.fit_sum == pytest.approx(float(fit_of_evidence(0.6) + fit_of_evidence(0.3)))
    assert nmr.cosine_mean == pytest.approx(0.45)
    assert nmr.score_sum == pytest.approx(0.05) and nmr.score_mean == pytest.approx(0.025)
    assert [d.iri for d in log.demand(min_fit=None)] == [NMR, XAS, FACILITY]  # strongest demand first
    assert [d.iri for d in log.demand(types=["Facility"])] == [FACILITY]
    close = {d.iri: d.needs for d in log.demand()}  # by default only results at MIN_FIT (0.45) or closer count
    assert close == {NMR: 1, FACILITY: 1}
    log.close()


def test_demand_counts_the_results_presented_as_matches_whatever_their_cosine(tmp_path: Path) -> None:
    """A result the matcher presented counts (its evidence may be the graph's, at a low cosine of its own); one shown
    only as the closest where nothing fitted does not, however close; results logged before that was kept count by
    their cosine."""
    log = DemandLog(tmp_path / "demand.sqlite")
    log.record("graph evidence", {}, [TopResult(NMR, 0.1, "Instrument", 1, 0.38, presented=True, fit=0.2)])
    log.record("nothing fitted", {}, [TopResult(XAS, 0.01, "Instrument", 1, 0.47, presented=False, fit=0.01)])
    log.record("an older row", {}, [TopResult(FACILITY, 0.03, "Facility", 1, 0.46)])
    demand = {d.iri: d for d in log.demand()}
    assert {iri: d.needs for iri, d in demand.items()} == {NMR: 1, FACILITY: 1}
    assert demand[NMR].fit_sum == pytest.approx(0.2)  # the fit the team was shown
    assert demand[FACILITY].fit_sum == pytest.approx(float(fit_of_evidence(0.46)))  # read from the cosine
    assert {d.iri for d in log.demand(min_fit=None)} == {NMR, XAS, FACILITY}  # every logged result
    log.close()


def test_old_files_are_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "demand.sqlite"
    with sqlite3.connect(path) as db:  # the first layout, as the first release wrote it
        db.execute(
            "CREATE TABLE needs (id INTEGER PRIMARY KEY, text TEXT NOT NULL, asked_at TEXT NOT NULL, "
            "filters TEXT NOT NULL, top TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO needs VALUES (7, 'an NMR spectrometer', '2026-01-02T03:04:05+00:00', ?, ?)",
            (json.dumps({"country": "USA"}), json.dumps([[NMR, 0.03], [XAS, 0.01]])),
        )
    db.close()
    log = DemandLog(path)
    (need,) = log.needs()
    assert (need.id, need.text, need.asked_at, need.filters) == (
        7,
        "an NMR spectrometer",
        "2026-01-02T03:04:05+00:00",
        {"country": "USA"},
    )
    assert need.top == [(NMR, 0.03), (XAS, 0.01)] and [r.rank for r in need.results] == [1, 2]
    assert need.team is None and need.best_cosine is None
    assert log.record("a new one", {}, [(NMR, 0.02)]) == 8
    demand = {d.iri: d for d in log.demand()}
    assert demand[NMR].needs == 2 and demand[NMR].cosine_mean is None  # old records count by score
    log.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_top_results_keeps_the_first_of_each_type_with_rank_cosine_and_whether_it_was_presented() -> None:
    def result(iri: str, type_name: str, score: float, cosine: float) -> MatchResult:
        explanation = Explanation(signals={"cosine": cosine})
        return MatchResult(iri, type_name, "", score, "", "", "", "", explanation, fit=score * 2)

    response = MatchResponse(
        "need",
        {
            "Instrument": [result(NMR, "Instrument", 0.03, 0.6), result(XAS, "Instrument", 0.02, 0.5)],
            "Facility": [result(FACILITY, "Facility", 0.03, 0.4)],
        },
        [],
        notes={"Facility": NOTHING_FITS},  # the facility was one of the closest, shown because nothing fits
    )
    assert top_results(response, per_type=1) == [
        TopResult(NMR, 0.03, "Instrument", 1, 0.6, presented=True, fit=0.06),
        TopResult(FACILITY, 0.03, "Facility", 1, 0.4, presented=False, fit=0.06),
    ]


def test_the_log_keeps_whether_each_result_was_presented_and_so_whether_anything_fitted(tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite")
    log.record(
        "fitted",
        {},
        [
            TopResult(NMR, 0.1, "Instrument", 1, 0.6, True, 0.2),
            TopResult(FACILITY, 0.01, "Facility", 1, 0.3, False, 0.01),
        ],
    )
    log.record("nothing fitted", {}, [TopResult(XAS, 0.01, "Instrument", 1, 0.47, False)])
    log.record("logged without saying", {}, [TopResult(XAS, 0.01, "Instrument", 1, 0.47)])
    fitted, nothing, unknown = log.needs()
    assert [r.presented for r in fitted.results] == [True, False] and fitted.nothing_fitted is False
    assert [r.fit for r in fitted.results] == [0.2, 0.01] and unknown.results[0].fit is None
    assert nothing.nothing_fitted is True and unknown.nothing_fitted is None
    log.close()


def test_a_version_3_file_gains_whether_each_result_was_presented(tmp_path: Path) -> None:
    path = tmp_path / "demand.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TABLE needs (id INTEGER PRIMARY KEY, text TEXT NOT NULL, asked_at TEXT NOT NULL,
        filters TEXT NOT NULL, team TEXT, organization TEXT, contact TEXT, vector BLOB, model TEXT);
        CREATE TABLE results (need_id INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE, iri TEXT NOT NULL,
        type TEXT NOT NULL, rank INTEGER NOT NULL, score REAL NOT NULL, cosine REAL, PRIMARY KEY (need_id, type, rank));
        INSERT INTO needs VALUES (3, 'an old need', '2026-01-02T03:04:05+00:00', '{}', NULL, NULL, NULL, NULL, NULL);
        INSERT INTO results VALUES (3, 'https://example.org/nmr', 'Instrument', 1, 0.02, 0.5);
        PRAGMA user_version = 3;"""
    )
    db.close()
    log = DemandLog(path)
    (old,) = log.needs()
    assert old.results[0].presented is None and old.nothing_fitted is None  # not known for what was logged before
    log.record("a new one", {}, [TopResult(NMR, 0.02, "Instrument", 1, 0.3, False)])
    assert log.needs()[1].nothing_fitted is True
    log.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_threads_can_share_one_log(tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite", retention_days=365)

    def ask(worker: int) -> None:
        for i in range(25):
            log.record(f"need {worker}-{i}", {}, [TopResult(f"https://x/{worker}-{i}", 0.02, "Instrument", 1, 0.5)])
            log.needs()

    threads = [threading.Thread(target=ask, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    needs = log.needs()
    assert len(needs) == 100
    assert all(n.top == [(f"https://x/{n.text.removeprefix('need ')}", 0.02)] for n in needs)
    log.close()


def test_a_need_asked_in_the_same_second_as_the_window_end_is_in_it(tmp_path: Path) -> None:
    """Times are stored to the second; a report whose end falls later in that second must still see the need."""
    log = DemandLog(tmp_path / "demand.sqlite")
    asked = datetime(2026, 3, 2, 10, 0, 0, 200_000, tzinfo=UTC)
    log.record("NMR of organic compounds", {}, [("https://w3id.org/sharekg/id/instrument/s/1", 0.9)], asked_at=asked)
    assert [n.text for n in log.needs(until=asked.replace(microsecond=900_000))] == ["NMR of organic compounds"]
    assert log.needs(until=asked.replace(microsecond=0)) == []
    log.close()


def test_the_log_and_its_side_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "demand.sqlite"
    log = DemandLog(path)
    log.record("a student's unpublished idea", {}, [])
    for name in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        assert name.exists() and stat.S_IMODE(name.stat().st_mode) == 0o600, name
    log.close()
    path.chmod(0o644)  # a file made before: tightened when opened
    DemandLog(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_erase_deletes_a_teams_or_a_contacts_rows_and_leaves_nothing_of_them_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "demand.sqlite"
    log = DemandLog(path)
    log.record("first idea", {}, [(NMR, 0.02)], team="Team Lumen", contact="lumen@example.org")
    log.record("second idea", {}, [], team="team lumen ")
    log.record("third idea", {}, [], team="Team Dune", contact="Dune@Example.org")
    log.record("anonymous idea", {}, [])
    assert log.erase(team="TEAM LUMEN") == 2
    assert log.erase(contact="dune@example.org") == 1
    assert log.erase(team="Team Nobody") == 0
    assert [n.text for n in log.needs()] == ["anonymous idea"] and log.demand() == []
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("demand.sqlite"))
    for gone in (b"Team Lumen", b"lumen@example.org", b"first idea", b"Dune@Example.org"):
        assert gone not in files
    with pytest.raises(InputError, match="one team or one contact"):
        log.erase(team="a", contact="b")
    with pytest.raises(InputError, match="one team or one contact"):
        log.erase()
    log.close()


def test_a_needs_vector_is_stored_when_logged_and_encoded_only_when_missing(tmp_path: Path, embedder: Embedder) -> None:
    class Counting:
        def __init__(self) -> None:
            self.name, self.dim, self.encoded = embedder.name, embedder.dim, 0

        def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
            self.encoded += len(texts)
            return embedder.encode(texts, batch_size=batch_size)

    counting = Counting()
    log = DemandLog(tmp_path / "demand.sqlite")
    vector = embedder.encode(["NMR of organic compounds"])[0]
    stored = log.record("NMR of organic compounds", {}, [], vector=vector, model=embedder.name)
    bare = log.record("a flow cytometer", {}, [])
    other = log.record("a beamline", {}, [], vector=np.ones(embedder.dim, np.float32), model="another-model")
    got = log.vectors([stored, bare, other], counting)
    assert counting.encoded == 2  # the row without a vector and the other model's
    np.testing.assert_array_equal(got[stored], vector)
    np.testing.assert_allclose(got[bare], embedder.encode(["a flow cytometer"])[0], atol=1e-6)
    assert log.vectors([stored, bare, other, 999], counting).keys() == {stored, bare, other}
    assert counting.encoded == 2  # encoded once, then stored
    with pytest.raises(InputError, match="model"):
        log.record("x", {}, [], vector=vector)
    log.close()


def test_a_version_2_file_gains_the_vector_columns(tmp_path: Path) -> None:
    path = tmp_path / "demand.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TABLE needs (id INTEGER PRIMARY KEY, text TEXT NOT NULL, asked_at TEXT NOT NULL,
        filters TEXT NOT NULL, team TEXT, organization TEXT, contact TEXT);
        CREATE TABLE results (need_id INTEGER NOT NULL REFERENCES needs (id) ON DELETE CASCADE, iri TEXT NOT NULL,
        type TEXT NOT NULL, rank INTEGER NOT NULL, score REAL NOT NULL, cosine REAL, PRIMARY KEY (need_id, type, rank));
        INSERT INTO needs VALUES (3, 'an old need', '2026-01-02T03:04:05+00:00', '{}', 'Team Old', NULL, NULL);
        PRAGMA user_version = 2;"""
    )
    db.close()
    log = DemandLog(path)
    (need,) = log.needs()
    assert (need.id, need.text, need.team) == (3, "an old need", "Team Old")
    assert log.record("a new one", {}, [], vector=np.zeros(4, np.float32), model="m") == 4
    log.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT model FROM needs ORDER BY id").fetchall() == [(None,), ("m",)]
    db.close()
