"""Ingest that cannot wipe, crash or merge silently (issue 14, items 6-10 and 12), on a real store in tmp_path.

Each test reproduces the accident or the attack: an empty or unreadable file as a source's new version, input that
crashed a reader, duplicate ids, a strict run skipped by the checksum, an oversized field, a UTF-16 file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.store import Store, open_store
from ingest.pipeline import ingest_source, ingest_sources, plan
from ingest.readers.base import MAX_CSV_FIELD
from ingest.report import RunReport
from tests.conftest import FIXTURES

EQUIPMENT = FIXTURES / "uniquip" / "equipment.csv"
HEADER = EQUIPMENT.read_text(encoding="utf-8").splitlines(keepends=True)[0]
ROWS = EQUIPMENT.read_text(encoding="utf-8").splitlines(keepends=True)[1:]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "store")
    yield s
    s.close()


def run(store: Store, path: Path, tmp_path: Path, fmt: str | None = "uniquip", **options: bool) -> RunReport:
    (p,) = plan([path], "equipment", fmt)
    return ingest_source(store, p, tmp_path / "runs", **options)


def saved_reports(tmp_path: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted((tmp_path / "runs").glob("equipment-*.json"))]


def instrument_count(store: Store) -> int:
    counts = [c.count for c in store.count_by_type() if c.type.endswith("#Instrument") and c.source == "equipment"]
    return sum(counts)


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---- item 6: a run that would wipe a source


@pytest.mark.parametrize(
    ("content", "reason"),
    [("", "the file is empty"), (HEADER, "holds no record that could be loaded")],
    ids=["empty", "header-only"],
)
def test_an_empty_or_header_only_file_is_a_failed_run_and_the_source_stays(
    store: Store, tmp_path: Path, content: str, reason: str
) -> None:
    assert run(store, EQUIPMENT, tmp_path).status == "loaded"
    with pytest.raises(InputError, match=reason):
        run(store, write(tmp_path, "equipment.csv", content), tmp_path)
    assert instrument_count(store) == 23
    assert sorted(r["status"] for r in saved_reports(tmp_path)) == ["failed", "loaded"]


def test_random_bytes_as_dcat_do_not_replace_a_source(store: Store, tmp_path: Path) -> None:
    (p,) = plan([FIXTURES / "dcat" / "catalogue.ttl"], "equipment")
    assert ingest_source(store, p, tmp_path / "runs").status == "loaded"
    before = store.sources()["equipment"]
    noise = write(tmp_path, "noise.ttl", os.urandom(2048).replace(b"\x00", b"\x01"))
    with pytest.raises(InputError, match="no record that could be loaded"):
        run(store, noise, tmp_path, fmt="dcat")
    assert store.sources()["equipment"] == before
    assert sorted(r["status"] for r in saved_reports(tmp_path)) == ["failed", "loaded"]


def test_a_run_removing_most_of_a_source_is_refused_saying_what_it_would_remove(store: Store, tmp_path: Path) -> None:
    run(store, EQUIPMENT, tmp_path)
    before = store.sources()["equipment"]
    smaller = write(tmp_path, "equipment.csv", HEADER + "".join(ROWS[:3]))
    report = run(store, smaller, tmp_path)
    assert report.status == "refused-shrink"
    assert "would remove 20 of 23 instruments" in report.message and "--allow-shrink" in report.message
    assert report.would_remove["Instrument"] == [20, 23]
    assert store.sources()["equipment"] == before and instrument_count(store) == 23
    assert run(store, smaller, tmp_path, allow_shrink=True).status == "loaded"
    assert instrument_count(store) == 3


def test_a_run_removing_less_than_half_is_published(store: Store, tmp_path: Path) -> None:
    run(store, EQUIPMENT, tmp_path)
    assert run(store, write(tmp_path, "equipment.csv", HEADER + "".join(ROWS[:15])), tmp_path).status == "loaded"
    assert instrument_count(store) == 15


# ---- item 10: one path for a set of sources


def test_ingesting_sources_leaves_one_graph_per_source(store: Store, tmp_path: Path) -> None:
    for n in (23, 20, 18):
        (p,) = plan([write(tmp_path, "equipment.csv", HEADER + "".join(ROWS[:n]))], "equipment", "uniquip")
        outcome = ingest_sources(store, [p], tmp_path / "runs")
        assert [r.source for r in outcome.reports] == ["equipment", "links"]
        assert outcome.reports[0].status == "loaded"
    assert store.collect_garbage() == 0  # each run collected the graph it superseded
    assert instrument_count(store) == 18


def test_a_refused_run_leaves_no_graph_behind(store: Store, tmp_path: Path) -> None:
    (p,) = plan([EQUIPMENT], "equipment", "uniquip")
    ingest_sources(store, [p], tmp_path / "runs")
    (small,) = plan([write(tmp_path, "equipment.csv", HEADER + ROWS[0])], "equipment", "uniquip")
    outcome = ingest_sources(store, [small], tmp_path / "runs")
    assert outcome.reports[0].status == "refused-shrink"
    assert store.collect_garbage() == 0 and instrument_count(store) == 23


# ---- item 8: crashes become rejects or failed runs, and the report ends


def test_json_nested_ten_thousand_deep_is_a_reject_naming_its_line(store: Store, tmp_path: Path) -> None:
    good = (FIXTURES / "nsf-mri" / "awards.jsonl").read_text(encoding="utf-8")
    deep = '{"AwardID": ' + "[" * 10_000 + "]" * 10_000 + "}\n"
    path = write(tmp_path, "awards.jsonl", good + deep)
    (p,) = plan([path], "awards", "nsf-mri")
    report = ingest_source(store, p, tmp_path / "runs")
    assert report.status == "loaded" and report.rejected == 1
    (reject,) = (json.loads(x) for x in Path(str(report.rejects_file)).read_text().splitlines())
    assert reject["line"] == good.count("\n") + 1 and "nested too deeply" in reject["reason"]


def test_json_ld_nested_ten_thousand_deep_is_a_reject(store: Store, tmp_path: Path) -> None:
    deep = '{"@context": {"dcat": "http://www.w3.org/ns/dcat#"}, "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
    (p,) = plan([write(tmp_path, "catalogue.jsonld", deep)], "equipment", "dcat")
    with pytest.raises(InputError, match="no record that could be loaded"):
        ingest_source(store, p, tmp_path / "runs")
    rejects = (tmp_path / "runs").glob("*.rejects.jsonl")
    assert any("nested too deeply" in f.read_text() for f in rejects)
    assert [r["status"] for r in saved_reports(tmp_path)] == ["failed"]


def test_a_carriage_return_in_a_csv_header_fails_the_run_with_a_reason_and_an_ended_report(
    store: Store, tmp_path: Path
) -> None:
    path = write(tmp_path, "equipment.csv", HEADER.replace("Name", "Na\rme", 1) + ROWS[0])
    with pytest.raises(InputError, match="line 1: the header row cannot be read: a carriage return"):
        run(store, path, tmp_path)
    (report,) = saved_reports(tmp_path)
    assert report["status"] == "failed" and "carriage return" in str(report["message"]) and report["ended"]


def test_a_reader_bug_fails_the_run_with_a_reason(store: Store, tmp_path: Path) -> None:
    class Broken:
        name = "broken"
        description = "raises midway"

        def sniff(self, path: Path, head: str) -> bool:
            return False

        def read(self, path: Path, source: str) -> Iterator[object]:
            raise KeyError("column")
            yield

    from ingest.pipeline import SourcePlan

    with pytest.raises(InputError, match="cannot be read as broken: KeyError"):
        ingest_source(store, SourcePlan("equipment", ((EQUIPMENT, Broken()),)), tmp_path / "runs")  # type: ignore[arg-type]
    assert [r["status"] for r in saved_reports(tmp_path)] == ["failed"]


# ---- item 9: duplicate ids


def test_a_second_row_with_the_same_id_is_rejected_naming_line_and_id(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "equipment.csv", HEADER + ROWS[0] + ROWS[1] + ROWS[0].replace("UNKNOWN", "Other", 1))
    report = run(store, path, tmp_path)
    assert (report.loaded, report.rejected) == (2, 1)
    (reject,) = (json.loads(x) for x in Path(str(report.rejects_file)).read_text().splitlines())
    assert (reject["line"], reject["record_id"], reject["field"]) == (4, "st-andrews-0001", "id")
    assert "duplicate" in reject["reason"] and "line 2" in reject["reason"]
    assert run(store, path, tmp_path, strict=True).status == "rejected-strict"


def test_many_identical_rows_load_once(store: Store, tmp_path: Path) -> None:
    report = run(store, write(tmp_path, "equipment.csv", HEADER + ROWS[1] * 2_000), tmp_path)
    assert (report.read, report.loaded, report.rejected) == (2_000, 1, 1_999)


# ---- item 12: smaller


def test_strict_fails_on_an_unchanged_input_published_with_rejects(store: Store, tmp_path: Path) -> None:
    bad = FIXTURES / "uniquip" / "bad.csv"
    assert run(store, bad, tmp_path).status == "loaded"
    assert run(store, bad, tmp_path).status == "unchanged"
    assert run(store, bad, tmp_path, strict=True).status == "rejected-strict"


def test_strict_skips_an_unchanged_clean_input(store: Store, tmp_path: Path) -> None:
    assert run(store, EQUIPMENT, tmp_path).status == "loaded"
    assert run(store, EQUIPMENT, tmp_path, strict=True).status == "unchanged"


def test_a_field_over_the_limit_is_reported_as_too_long(store: Store, tmp_path: Path) -> None:
    long_row = ROWS[1].replace("INDIGO2 COMPUTER RJ", '"' + "x" * (128 * 1024 + 10) + '"', 1)
    report = run(store, write(tmp_path, "equipment.csv", HEADER + ROWS[0] + long_row), tmp_path)
    (reject,) = (json.loads(x) for x in Path(str(report.rejects_file)).read_text().splitlines())
    assert reject["line"] == 3 and f"longer than the limit of {MAX_CSV_FIELD:,} characters" in reject["reason"]


@pytest.mark.parametrize("fmt", ["uniquip", None], ids=["named-format", "detected"])
def test_a_utf16_file_is_reported_as_utf16(store: Store, tmp_path: Path, fmt: str | None) -> None:
    path = write(tmp_path, "equipment.csv", (HEADER + ROWS[0]).encode("utf-16"))
    with pytest.raises(InputError, match=r"UTF-16.*re-save it as UTF-8"):
        run(store, path, tmp_path, fmt=fmt)
