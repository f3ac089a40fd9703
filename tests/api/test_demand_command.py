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
