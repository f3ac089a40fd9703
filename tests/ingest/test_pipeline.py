"""The pipeline end to end on real rows: idempotence, atomic replacement, provenance, rejects, strict mode."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.store import Store, open_store
from ingest import pipeline
from ingest.pipeline import ingest_source, plan
from tests.conftest import FIXTURES

EQUIPMENT = FIXTURES / "uniquip" / "equipment.csv"
BAD = FIXTURES / "uniquip" / "bad.csv"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "store")
    yield s
    s.close()


def instruments(store: Store) -> set[str]:
    rows = store.query(
        "SELECT ?id WHERE { ?i a <https://w3id.org/sharekg/ns#Instrument> ; <https://w3id.org/sharekg/ns#localId> ?id }"
    )
    assert isinstance(rows, ox.QuerySolutions)
    return {r["id"].value for r in rows}  # type: ignore[union-attr]


def run(store: Store, path: Path, tmp_path: Path, **kwargs: object) -> pipeline.RunReport:
    (p,) = plan([path], "uniquip-test")
    return ingest_source(store, p, tmp_path / "runs", **kwargs)  # type: ignore[arg-type]


def test_ingest_loads_records_with_provenance(store: Store, tmp_path: Path) -> None:
    report = run(store, EQUIPMENT, tmp_path)
    assert (report.status, report.read, report.loaded, report.rejected) == ("loaded", 23, 23, 0)
    assert len(instruments(store)) == 23
    rows = store.query(
        """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX skg: <https://w3id.org/sharekg/ns#>
        SELECT ?g ?sha ?loaded ?start WHERE { GRAPH ?g { ?g prov:wasGeneratedBy ?run .
          ?run prov:used ?f ; skg:recordsLoaded ?loaded ; prov:startedAtTime ?start . ?f skg:sha256 ?sha } }"""
    )
    assert isinstance(rows, ox.QuerySolutions)
    (row,) = list(rows)
    assert row["loaded"].value == "23"  # type: ignore[union-attr]
    assert row["sha"].value == report.inputs[0].sha256  # type: ignore[union-attr]
    saved = json.loads((tmp_path / "runs" / f"uniquip-test-{report.run_id}.json").read_text())
    assert saved["loaded"] == 23


def test_reingesting_the_same_input_changes_nothing(store: Store, tmp_path: Path) -> None:
    first = run(store, EQUIPMENT, tmp_path)
    before = sorted(str(q) for q in store.quads())
    second = run(store, EQUIPMENT, tmp_path)
    assert second.status == "unchanged"
    assert sorted(str(q) for q in store.quads()) == before
    assert store.sources()["uniquip-test"].graph.endswith(first.run_id)


def test_changed_input_replaces_the_source_graph(store: Store, tmp_path: Path) -> None:
    run(store, EQUIPMENT, tmp_path)
    smaller = tmp_path / "equipment.csv"
    smaller.write_text("".join(EQUIPMENT.read_text(encoding="utf-8").splitlines(keepends=True)[:4]), encoding="utf-8")
    report = run(store, smaller, tmp_path, allow_shrink=True)  # 3 of 23: refused unless allowed (test_safe_ingest)
    assert report.status == "loaded"
    assert instruments(store) == {"st-andrews-0001", "st-andrews-0002", "st-andrews-0003"}
    assert store.collect_garbage() == 1


def test_rejects_are_reported_with_line_record_and_field(store: Store, tmp_path: Path) -> None:
    report = run(store, BAD, tmp_path)
    assert (report.status, report.loaded, report.rejected, report.warnings) == ("loaded", 2, 6, 1)
    assert instruments(store) == {"st-andrews-0002", "st-andrews-0008"}
    assert report.rejects_file is not None
    rejects = [json.loads(line) for line in Path(report.rejects_file).read_text().splitlines()]
    assert {(r["line"], r["record_id"], r["field"]) for r in rejects} >= {
        (3, "st-andrews-0003", "Contact Email"),
        (4, "st-andrews-0004", "Name"),
        (9, "st-andrews-0009", "Department"),
    }
    assert all(r["source"] == "uniquip-test" and r["reason"] for r in rejects)


def test_strict_mode_writes_nothing_and_keeps_the_previous_graph(store: Store, tmp_path: Path) -> None:
    run(store, EQUIPMENT, tmp_path)
    report = run(store, BAD, tmp_path, strict=True)
    assert report.status == "rejected-strict"
    assert "nothing was written" in report.message
    assert len(instruments(store)) == 23


def test_exception_midway_leaves_the_previous_graph(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(store, EQUIPMENT, tmp_path)
    changed = tmp_path / "changed.csv"
    shutil.copyfile(BAD, changed)
    calls = 0
    real_map = pipeline.map_record

    def failing_map(record: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk full")
        return real_map(record)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "map_record", failing_map)
    with pytest.raises(RuntimeError):
        run(store, changed, tmp_path)
    assert len(instruments(store)) == 23
    store.collect_garbage()
    assert len(instruments(store)) == 23


def test_folder_is_one_source_named_after_it(tmp_path: Path) -> None:
    folder = tmp_path / "my-centre"
    folder.mkdir()
    shutil.copyfile(EQUIPMENT, folder / "equipment.csv")
    (folder / "SOURCE.md").write_text("attribution", encoding="utf-8")
    (p,) = plan([folder])
    assert p.source == "my-centre"
    assert [f.name for f, _ in p.files] == ["equipment.csv"]
