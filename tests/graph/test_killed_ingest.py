"""A process killed in the middle of writing a source leaves the previously published graph intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.store import open_store
from tests.graph.test_store_contract import LABEL, things

WRITER = """
import sys, time
from pathlib import Path
import pyoxigraph as ox
from graph.store import open_store
from tests.graph.test_store_contract import things

store = open_store(Path(sys.argv[1]))
marker = Path(sys.argv[2])

def endless():
    yield from things(50_000, "partial")
    marker.write_text("writing")
    while True:  # a reader that never finishes: the parent kills us here
        time.sleep(0.05)
        yield from things(10, "more")

store.replace_source("s1", "r2", endless(), "c2")
"""


@pytest.mark.slow
def test_sigkill_during_ingest_keeps_previous_graph(tmp_path: Path) -> None:
    location = tmp_path / "store"
    store = open_store(location)
    store.replace_source("s1", "r1", things(3, "a"), "c1")
    store.close()
    marker = tmp_path / "marker"
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(location), str(marker)], cwd=repo, env=env)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, "the writer died before it was killed"
        assert time.monotonic() < deadline, "the writer never reached the middle of its write"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    store = open_store(location)
    rows = store.query(f"SELECT ?l WHERE {{ ?s <{LABEL.value}> ?l }}")
    assert isinstance(rows, ox.QuerySolutions)
    assert {r["l"].value for r in rows} == {"a 0", "a 1", "a 2"}  # type: ignore[union-attr]
    assert store.sources()["s1"].checksum == "c1"
    store.collect_garbage()
    assert sum(1 for _ in store.quads()) == 6 + 4  # the data and its catalogue entry
    store.close()
