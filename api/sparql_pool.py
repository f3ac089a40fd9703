"""Worker processes that evaluate ``/sparql`` queries over a snapshot of the store, killed at their limits.

pyoxigraph cannot interrupt a query, and one query can take all the memory (a cross join sorted by ORDER BY) or
keep evaluating long after its answer was given up. So queries run in ``api/sparql_worker.py`` processes, each
under a memory limit (``RLIMIT_AS``, set in the worker); at the deadline the process is killed, which frees its slot
at once, and another is started in its place. A worker that dies of its memory limit is replaced the same way.

Which store the workers read: a snapshot of the service's store, made with ``Store.backup`` (a RocksDB checkpoint: hard
links to the immutable table files, a few tens of milliseconds on the sample, see
``benchmarks/results/sparql-limits.md``) beside the store, opened with ``Store.read_only``; two of them, in fact:
``full`` as it is, and ``union`` with the current source graphs only (``OxigraphStore.backup_union``), which a worker
reads for every query that names no graph, two to three times faster (see ``api/sparql_worker.py``). Opening the
service's own store read-only from a second process while the service writes to it is undefined behaviour by
pyoxigraph's own documentation (RocksDB's read-only mode does not follow a live writer; pyoxigraph 0.5 no longer offers
secondaries), and re-opening it per query would not change that. A snapshot is immutable, so any number of workers read
it safely. Before each query the service compares the store's catalogue with the snapshot's (one small query); when a
source was published since, it makes a new snapshot, and workers on the old one are retired. A store without files (in
memory) is copied into an on-disk snapshot instead (``graph.store.copy_store``, which keeps graph names).

Workers read the same graphs as ``OxigraphStore.query``: the union of the current graphs by default, the current
graphs and the catalogue by name.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from graph.store import CATALOGUE_GRAPH, OxigraphStore, SourceEntry, SparqlStore, copy_store, open_store
from ontology.terms import PREFIXES

WORKER = Path(__file__).with_name("sparql_worker.py")
EXIT_MEMORY = 3  # api.sparql_worker.EXIT_MEMORY (the worker is a program of its own, never imported here)


class QueryTimeout(Exception):
    """The query ran past its deadline; its worker was killed."""


class WorkerDied(Exception):
    """The worker ended before it answered (its memory limit, or a crash)."""

    def __init__(self, returncode: int | None) -> None:
        self.returncode = returncode
        self.out_of_memory = returncode in {EXIT_MEMORY, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL}
        super().__init__(f"the query's worker ended with status {returncode}")


@dataclass(eq=False)
class Snapshot:
    path: Path
    sources: dict[str, SourceEntry]
    workers: int = 0  # live workers reading it


@dataclass(eq=False)
class Worker:
    snapshot: Snapshot
    process: subprocess.Popen[bytes]
    ready: bool = False
    buffer: bytearray = field(default_factory=bytearray)

    def send(self, message: dict[str, object]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def receive(self, deadline: float) -> tuple[dict[str, object], bytes]:
        """The next answer: a header line and ``length`` bytes of body, by the deadline."""
        while b"\n" not in self.buffer:
            self._read(deadline)
        line, _, rest = bytes(self.buffer).partition(b"\n")
        header = json.loads(line)
        length = int(header.get("length", 0))
        self.buffer = bytearray(rest)
        while len(self.buffer) < length:
            self._read(deadline)
        body, self.buffer = bytes(self.buffer[:length]), self.buffer[length:]
        return header, body

    def _read(self, deadline: float) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise QueryTimeout
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise WorkerDied(self.process.wait())
        self.buffer += chunk

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class WorkerPool:
    """Worker processes over the current snapshot of ``store``; ``ask`` evaluates one request in one of them."""

    def __init__(self, store: SparqlStore, memory_mb: int) -> None:
        self.store = store
        self.memory_mb = memory_mb
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._snapshot: Snapshot | None = None
        self._generation = 0
        self._own_dir: tempfile.TemporaryDirectory[str] | None = None
        location = store.location if isinstance(store, OxigraphStore) else None
        if location is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="sharekg-sparql-")
            self.folder = Path(self._own_dir.name)
        else:
            self.folder = location.parent / f"{location.name}-sparql"
            _remove_leftovers(self.folder)

    def ask(self, request: dict[str, object], deadline: float) -> tuple[dict[str, object], bytes]:
        """Evaluate ``request`` in a worker by ``deadline``; raises ``QueryTimeout`` or ``WorkerDied`` (the
        worker is gone then, and a fresh one is starting)."""
        worker = self._take()
        try:
            if not worker.ready:
                worker.receive(deadline)
                worker.ready = True
            worker.send(request)
            answer = worker.receive(deadline)
        except (QueryTimeout, WorkerDied, OSError) as e:
            self._discard(worker)
            self._start_spare()
            if isinstance(e, OSError):  # a broken pipe: the worker had died
                raise WorkerDied(worker.process.returncode) from e
            raise
        self._give_back(worker)
        return answer

    def _take(self) -> Worker:
        with self._lock:
            snapshot = self._current()
            while self._idle:
                worker = self._idle.pop()
                if worker.snapshot is snapshot and worker.process.poll() is None:
                    return worker
                self._retire(worker)
            return self._start(snapshot)

    def _give_back(self, worker: Worker) -> None:
        with self._lock:
            if worker.snapshot is self._snapshot:
                self._idle.append(worker)
            else:
                self._retire(worker)

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            self._retire(worker)

    def _start_spare(self) -> None:
        """Start a worker in place of a killed one, so that the next query finds it warm."""
        with self._lock:
            if self._snapshot is not None:
                self._idle.append(self._start(self._snapshot))

    def _current(self) -> Snapshot:
        live = self.store.sources()
        if self._snapshot is not None and self._snapshot.sources == live:
            return self._snapshot
        old, self._snapshot = self._snapshot, self._take_snapshot(live)
        if old is not None and old.workers == 0:
            shutil.rmtree(old.path, ignore_errors=True)
        return self._snapshot

    def _take_snapshot(self, live: dict[str, SourceEntry]) -> Snapshot:
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            self._generation += 1
            path = self.folder / f"{os.getpid()}-{self._generation}"
            path.mkdir()
            graphs = [entry.graph for entry in live.values()]
            if isinstance(self.store, OxigraphStore) and self.store.location is not None:
                self.store.backup(path / "full")
                self.store.backup_union(path / "union", graphs)
            else:
                copy = open_store(path / "full")
                copy_store(self.store, copy)
                copy.backup_union(path / "union", graphs)
                copy.close()
            after = self.store.sources()
            if after == live:
                return Snapshot(path, live)
            shutil.rmtree(path, ignore_errors=True)  # a source was published meanwhile: take it again
            live = after

    def _start(self, snapshot: Snapshot) -> Worker:
        process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "MALLOC_ARENA_MAX": "2"},
        )
        worker = Worker(snapshot, process)
        graphs = [entry.graph for entry in snapshot.sources.values()]
        worker.send(
            {
                "store": str(snapshot.path / "full"),
                "union_store": str(snapshot.path / "union"),
                "default": graphs,
                "named": [*graphs, CATALOGUE_GRAPH.value],
                "prefixes": PREFIXES,
                "memory_mb": self.memory_mb,
            }
        )
        snapshot.workers += 1
        return worker

    def _retire(self, worker: Worker) -> None:
        worker.stop()
        worker.snapshot.workers -= 1
        if worker.snapshot.workers == 0 and worker.snapshot is not self._snapshot:
            shutil.rmtree(worker.snapshot.path, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            for worker in self._idle:
                self._retire(worker)
            self._idle.clear()
            if self._snapshot is not None and self._snapshot.workers == 0:
                shutil.rmtree(self._snapshot.path, ignore_errors=True)
            self._snapshot = None
        if self._own_dir is not None:
            self._own_dir.cleanup()


def _remove_leftovers(folder: Path) -> None:
    """Snapshots of service processes that have ended (a crash leaves them; they pin the store's old files)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        pid = path.name.split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["QueryTimeout", "WorkerDied", "WorkerPool"]
