"""Shared fixtures: real stores in tmp_path, real sample files, the shared data folder when present."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample"
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


def shared_data(folder: str) -> Path:
    """A folder of ../shared/data, or skip when this checkout has no shared data beside it."""
    path = SHARED_DATA / folder
    if not path.is_dir():
        pytest.skip(f"{path} not present (shared data sits beside the repository only on project machines)")
    return path
