"""The command line on real fixture files: ingest, stats, export, strict mode and usage errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from api.cli import main
from tests.conftest import FIXTURES, SAMPLE


def invoke(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_ingest_then_stats_then_export(tmp_path: Path) -> None:
    folder = tmp_path / "st-andrews"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "uniquip" / "equipment.csv", folder / "equipment.csv")
    code, out = invoke(tmp_path / "var", "ingest", str(folder))
    assert code == 0, out
    assert "st-andrews" in out and "loaded" in out
    code, out = invoke(tmp_path / "var", "ingest", str(folder))
    assert code == 0 and "unchanged" in out
    code, out = invoke(tmp_path / "var", "stats")
    assert code == 0 and "Instrument" in out and "23" in out
    target = tmp_path / "graph.jsonld"
    code, out = invoke(tmp_path / "var", "export", "--format", "jsonld", "-o", str(target))
    assert code == 0, out
    parsed = ox.Store()
    parsed.load(path=str(target), format=ox.RdfFormat.JSON_LD)
    assert len(parsed) > 23 * 5


def test_strict_fails_and_writes_nothing(tmp_path: Path) -> None:
    code, out = invoke(tmp_path / "var", "ingest", "--strict", "--source", "bad", str(FIXTURES / "uniquip" / "bad.csv"))
    assert code == 1
    assert "nothing was written" in out
    reports = [json.loads(p.read_text()) for p in (tmp_path / "var" / "runs").glob("bad-*.json")]
    assert [r["status"] for r in reports] == ["rejected-strict"]


def test_usage_errors_say_what_to_do(tmp_path: Path) -> None:
    code, out = invoke(tmp_path / "var", "ingest")
    assert code == 2 and "--sample" in out
    code, out = invoke(tmp_path / "var", "ingest", str(tmp_path / "missing.csv"))
    assert code == 1 and "no such file" in out
    code, out = invoke(tmp_path / "var", "stats")
    assert code == 2 and "sharekg ingest" in out
    code, out = invoke(tmp_path / "var", "ingest", "--source", "Bad Name!", str(FIXTURES / "uniquip" / "equipment.csv"))
    assert code == 1 and "lower-case" in out


@pytest.mark.slow
def test_the_readme_run_command_on_the_bundled_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHAREKG_SAMPLE_DIR", str(SAMPLE))
    # the index step of `make run` (embedding the whole sample, minutes on 2 cores) is covered on a small
    # source by test_index_match_bundle_and_fits below
    code, out = invoke(tmp_path / "var", "ingest", "--sample", "--no-index")
    assert code == 0, out
    assert len(re.findall(r"│ loaded +│", out)) == 13  # twelve sample sources and the links
    assert "by same-grant-and-name" in out
    code, out = invoke(tmp_path / "var", "ingest", "--sample", "--no-index")
    assert code == 0 and len(re.findall(r"│ unchanged +│", out)) == 13
    code, out = invoke(tmp_path / "var", "stats")
    for type_name in ("Instrument", "Facility", "Dataset", "Expert", "Organization", "Subject"):
        assert type_name in out


def test_index_match_bundle_and_fits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    var = tmp_path / "var"
    code, out = invoke(var, "ingest", str(FIXTURES / "nsf-mri" / "awards.jsonl"))
    assert code == 0 and "search index built" in out, out
    code, out = invoke(var, "index")
    assert code == 0 and "up to date" in out
    code, out = invoke(var, "match", "NMR spectroscopy of organic compounds", "--type", "Instrument", "--json")
    assert code == 0, out
    response = json.loads(out[out.index("{") :])
    top = response["results"]["Instrument"][0]
    assert "NMR" in top["label"] and top["explanation"]["path"][0]["label"] == "your need"
    code, out = invoke(var, "match", "NMR", "--country", "Atlantis")
    assert code == 1 and "Atlantis" in out
    code, out = invoke(var, "match", "NMR spectroscopy of organic compounds", "--type", "Instrument")
    assert code == 0 and re.search(r"\d+\.\d% (strong|good)", out), out  # each result's fit and band
    code, out = invoke(var, "match", "a dataset of street scenes for self-driving cars", "--type", "Instrument")
    assert code == 0 and "nothing here fits this need well" in out and re.search(r"\d+\.\d% weak", out), out
    code, out = invoke(var, "bundle", "NMR spectroscopy of organic compounds", "--k", "1")
    assert code == 0 and "contact person" in out and "fit of its matched members" in out
    assert "joined, not matched" in out  # the contact person: joined by the graph, given no fit
    code, out = invoke(var, "fits", top["iri"])
    assert code == 0 and "NMR spectroscopy of organic compounds" in out  # the need logged by `match`


def test_keys_add_prints_the_key_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    from api.keys import KeyRing

    organization = "University of St Andrews"
    code, out = invoke(tmp_path, "keys", "add", "core", "--role", "centre", "--organization", organization)
    assert code == 0, out
    key = out.strip().splitlines()[-1]
    stored = (tmp_path / "api-keys.toml").read_text(encoding="utf-8")
    assert key.startswith("skg_") and key not in stored
    caller = KeyRing.load(tmp_path / "api-keys.toml").caller(key)
    assert caller is not None and caller.role == "centre" and caller.organization == "University of St Andrews"
    code, out = invoke(tmp_path, "keys", "add", "core", "--role", "admin")
    assert code == 2 and "exists already" in out
    code, out = invoke(tmp_path, "keys", "add", "other", "--role", "centre")
    assert code == 2 and "--organization" in out


def test_serve_without_a_store_says_what_to_run(tmp_path: Path) -> None:
    code, out = invoke(tmp_path / "empty", "serve")
    assert code == 2 and "sharekg ingest --sample" in out


# ---- issue 14: ingest that cannot wipe or crash, stats in one order


def _equipment(tmp_path: Path, rows: int, transform: str = "") -> Path:
    lines = (FIXTURES / "uniquip" / "equipment.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "in" / "equipment.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(transform + "".join(lines[: rows + 1]), encoding="utf-8")
    return path


def test_ingest_refuses_to_wipe_a_source_unless_allowed(tmp_path: Path) -> None:
    var = tmp_path / "var"
    code, out = invoke(var, "ingest", "--no-index", "--source", "st-andrews", str(_equipment(tmp_path, 23)))
    assert code == 0, out
    code, out = invoke(var, "ingest", "--no-index", "--source", "st-andrews", str(_equipment(tmp_path, 1)))
    assert code == 1 and "refused-shrink" in out and "would remove 22 of 23 instruments" in out
    code, out = invoke(var, "stats")
    assert re.search(r"Instrument\s*│\s*23", out), out
    code, out = invoke(
        var, "ingest", "--no-index", "--allow-shrink", "--source", "st-andrews", str(_equipment(tmp_path, 1))
    )
    assert code == 0 and "loaded" in out
    code, out = invoke(var, "ingest", "--no-index", "--source", "st-andrews", str(_equipment(tmp_path, 0)))
    assert code == 1 and "no record that could be loaded" in out


def test_unreadable_input_fails_with_a_reason_and_an_ended_report(tmp_path: Path) -> None:
    var = tmp_path / "var"
    path = _equipment(tmp_path, 2)
    path.write_text(path.read_text(encoding="utf-8").replace("Name", "Na\rme", 1), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--data-dir", str(var), "ingest", "--no-index", "--source", "cr", "--format", "uniquip", str(path)]
    )
    assert result.exit_code == 1 and "carriage return" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # a message, not a traceback
    reports = [json.loads(p.read_text()) for p in (var / "runs").glob("cr-*.json")]
    assert [r["status"] for r in reports] == ["failed"] and reports[0]["ended"]
    deep = tmp_path / "in" / "awards.jsonl"
    deep.write_text('{"AwardID": ' + "[" * 10_000 + "]" * 10_000 + "}\n", encoding="utf-8")
    code, out = invoke(var, "ingest", "--no-index", "--source", "deep", "--format", "nsf-mri", str(deep))
    assert code == 1 and "no record that could be loaded" in out
    rejects = next((var / "runs").glob("deep-*.rejects.jsonl")).read_text()
    assert "nested too deeply" in rejects


def test_stats_orders_equal_counts_the_same_way_every_run(tmp_path: Path) -> None:
    var = tmp_path / "var"
    code, out = invoke(var, "ingest", "--no-index", str(FIXTURES / "nsf-mri" / "awards.jsonl"))
    assert code == 0, out
    outputs = {invoke(var, "stats")[1] for _ in range(3)}
    assert len(outputs) == 1
    rows = [re.split(r"\s*│\s*", line.strip("│ ")) for line in outputs.pop().splitlines() if "awards" in line]
    counts = [(-int(r[2].replace(",", "")), r[1]) for r in rows if len(r) == 3]
    assert counts and counts == sorted(counts)


def test_a_bad_glossary_terms_file_stops_the_command_and_the_service_naming_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.app import open_services
    from api.settings import Settings
    from graph.errors import ConfigurationError

    terms = tmp_path / "terms.csv"
    terms.write_text("chinese,english\n色谱,chromatography\n圆二色,\n", encoding="utf-8")
    monkeypatch.setenv("SHAREKG_GLOSSARY_TERMS", str(terms))
    code, out = invoke(tmp_path / "var", "index")
    assert code != 0 and "terms.csv, line 3, field 'english': empty" in out, out
    with pytest.raises(ConfigurationError, match="line 3, field 'english'"):
        open_services(Settings(data_dir=tmp_path / "served", glossary_terms=terms))
    assert not (tmp_path / "served").exists()  # refused before the store, the model or the logs were opened
