"""benchmarks/compare_eval.py: two runs of `sharekg eval` paired by query or researcher."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_eval", REPO / "benchmarks" / "compare_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ranking(path: Path, ids: list[str], ndcg: dict[str, list[float]]) -> Path:
    path.write_text(json.dumps({"task": "chmo", "per_query": {"query_ids": ids, "ndcg_at_10": ndcg}}))
    return path


def test_ranking_runs_are_paired_by_query_id(tmp_path: Path) -> None:
    compare = _script()
    before = _ranking(tmp_path / "a.json", ["q1", "q2", "q3"], {"sharekg": [0.5, 0.2, 0.9], "bm25": [0.1, 0.1, 0.1]})
    # the same queries in another order, one more query, and every score 0.1 higher
    after = _ranking(tmp_path / "b.json", ["q3", "q4", "q1", "q2"], {"sharekg": [1.0, 0.0, 0.6, 0.3]})
    rows = compare.compare_ranking(json.loads(before.read_text()), json.loads(after.read_text()))
    assert [r[0] for r in rows] == ["sharekg"]  # bm25 is in one run only
    _, old, new, (change, low, high) = rows[0]
    assert old == pytest.approx(1.6 / 3) and new == pytest.approx(1.9 / 3)  # over q1..q3, the queries both scored
    assert change == pytest.approx(0.1) and low == pytest.approx(0.1) and high == pytest.approx(0.1)
    assert "| sharekg | 0.5333 | 0.6333 | +0.1000 (+0.1000 to +0.1000) |" in compare.table(before, after)


def test_reviewer_runs_are_paired_by_researcher(tmp_path: Path) -> None:
    compare = _script()
    before, after = tmp_path / "a.json", tmp_path / "b.json"
    before.write_text(json.dumps({"per_researcher": {"sharekg": {"r1": [2.0, 8.0], "r2": [1.0, 2.0]}}}))
    after.write_text(json.dumps({"per_researcher": {"sharekg": {"r1": [1.0, 8.0], "r2": [0.0, 2.0]}}}))
    ((_, old, new, (change, low, high)),) = compare.compare_reviewer(
        json.loads(before.read_text()), json.loads(after.read_text())
    )
    assert (old, new) == pytest.approx((0.3, 0.1)) and change == pytest.approx(-0.2)
    assert low <= change <= high < 0  # better for both researchers: every resample says so


def test_a_run_without_per_query_scores_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"task": "chmo", "scores": {}}))
    with pytest.raises(SystemExit, match="no per-query scores"):
        _script().table(old, old)


def test_runs_of_different_sets_are_refused(tmp_path: Path) -> None:
    compare = _script()
    chmo = _ranking(tmp_path / "chmo.json", ["CHMO:1"], {"sharekg": [0.5]})
    datafinder = _ranking(tmp_path / "df.json", ["df-1"], {"sharekg": [0.5]})
    with pytest.raises(SystemExit, match="share no query"):
        compare.table(chmo, datafinder)
    reviewer = tmp_path / "reviewer.json"
    reviewer.write_text(json.dumps({"per_researcher": {"sharekg": {"r1": [1.0, 2.0]}}}))
    with pytest.raises(SystemExit, match="not runs of one kind"):
        compare.table(chmo, reviewer)
