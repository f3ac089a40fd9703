"""Fixtures the graph tests share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.centre.demand import DemandLog


@pytest.fixture
def log(tmp_path: Path) -> Iterator[DemandLog]:
    """An empty demand log of the test's own."""
    log = DemandLog(tmp_path / "demand.sqlite")
    yield log
    log.close()
