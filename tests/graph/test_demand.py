"""The demand log keeps each need with its filters and top results, across reopenings."""

from __future__ import annotations

from pathlib import Path

from graph.demand import DemandLog


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
