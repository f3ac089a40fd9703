"""The bundled SYNTHETIC usage and contest data: labelled, small, and what the generator writes with its seed."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, SAMPLE

GENERATED = {"usage-synthetic": ["bookings.csv", "capacity.csv"], "contest-synthetic": ["contest.jsonl"]}
READ_BY_THE_GENERATOR = [
    "uniquip-st-andrews",
    "xas-beamlines",
    "nsf-mri-instruments",
    "nsf-pi-experts",
    "datafinder-datasets",
    "openalex-experts",
]


def test_the_generator_writes_the_committed_files_again(tmp_path: Path) -> None:
    for folder in READ_BY_THE_GENERATOR:
        shutil.copytree(SAMPLE / folder, tmp_path / folder)
    script = REPO / "scripts" / "generate_usage.py"
    subprocess.run([sys.executable, str(script), "--sample", str(tmp_path)], check=True, capture_output=True)
    for folder, names in GENERATED.items():
        for name in names:
            assert (tmp_path / folder / name).read_bytes() == (SAMPLE / folder / name).read_bytes(), name


def test_synthetic_in_the_data_and_the_source_notes() -> None:
    for folder, names in GENERATED.items():
        assert "SYNTHETIC" in (SAMPLE / folder / "SOURCE.md").read_text(encoding="utf-8")
        assert all((SAMPLE / folder / name).stat().st_size < 1_000_000 for name in names)
    with (SAMPLE / "usage-synthetic" / "bookings.csv").open(encoding="utf-8") as f:
        assert {row["synthetic"] for row in csv.DictReader(f)} == {"true"}
    lines = (SAMPLE / "contest-synthetic" / "contest.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["synthetic"] is True for line in lines)
