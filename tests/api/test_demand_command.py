"""``sharekg demand erase``: an operator erases a team's or a contact's logged requests and is told how many."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from api.cli import main
from graph.centre import DemandLog


def erase(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "demand", "erase", *args])
    return result.exit_code, result.output


def test_erase_a_team_then_a_contact(tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite")
    log.record("idea one", {}, [], team="Team Lumen", contact="lumen@example.org")
    log.record("idea two", {}, [], team="Team Lumen")
    log.record("idea three", {}, [], team="Team Dune", contact="dune@example.org")
    log.close()
    code, out = erase(tmp_path, "--team", "team lumen")
    assert code == 0 and "erased 2 requests of team 'team lumen'" in out
    code, out = erase(tmp_path, "--contact", "dune@example.org")
    assert code == 0 and "erased 1 request of contact" in out
    log = DemandLog(tmp_path / "demand.sqlite")
    assert log.needs() == []
    log.close()


def test_erase_needs_one_of_team_or_contact(tmp_path: Path) -> None:
    code, out = erase(tmp_path, "--team", "a", "--contact", "b")
    assert code == 2 and "exactly one of --team NAME or --contact EMAIL" in out
    code, out = erase(tmp_path)
    assert code == 2
    code, out = erase(tmp_path, "--team", "Team Lumen")
    assert code == 0 and "erased 0 requests" in out and not (tmp_path / "demand.sqlite").exists()


def test_unknown_words_lists_what_the_glossary_read_character_by_character(tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite")
    for need in (
        "需要高效液相色谱仪分离中药成分",
        "用色谱法分离钙钛矿前驱体",
        "用色谱法纯化",
        "NMR of small molecules",
    ):
        log.record(need, {}, [])
    log.close()
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "demand", "unknown-words", "--top", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "of the 3 logged needs in Chinese are not in the glossary" in lines[0]
    assert lines[1].split("\t")[:2] == ["  色谱法", "2 needs"] and len(lines) == 3  # the most asked first; --top 2
    empty = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "none"), "demand", "unknown-words"])
    assert empty.exit_code == 0 and "no demand log" in empty.output
