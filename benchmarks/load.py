"""Load benchmark: ``/match`` and ``/sparql`` of a real ``sharekg serve`` on loopback, at 1, 8 and 32 concurrent
clients; throughput, latency percentiles, failures and CPU time per request at each level.

Usage: python benchmarks/load.py [--data-dir var] [--levels 1 8 32] [--duration 20] [--encoders auto torch]
                                 [--torch-threads 1] [--endpoints /match /sparql] [--in-place]
                                 [--misbehave] [--quick] [--out benchmarks/results]

The server is ``sharekg serve`` started as a subprocess on a free port over the bundled sample as ingested and
indexed in ``--data-dir``. By default the store, index, embedding cache and exported model are copied to a
temporary folder first, so the thousands of needs the benchmark sends go to a throw-away demand log rather than the
one resource-centre analytics read (``--in-place`` serves ``--data-dir`` itself), and the copy's index is brought up
to date with this checkout (``sharekg index``: cached embeddings are reused). The benchmark waits until ``/health``
reports the search index current (another process may be rebuilding it) and then until the server is idle: at start
it computes the graph statistics in the background, seconds of CPU that would otherwise land in the first level.

Clients are asyncio tasks sharing one ``httpx.AsyncClient`` (one connection each), in this process, on the same
machine as the server: each sends its next request as soon as the last is answered (a closed loop), for
``--duration`` seconds per level after a short warm-up. Needs are real texts of the bundled sample (titles of NSF
MRI awards and of DataFinder datasets' source papers), never evaluation queries; SPARQL queries are the few an
analyst page runs (counts per type, a page of instruments with their host, one resource's statements).

A request fails when it gets no answer (timeout, connection error) or a status other than 200. Latency is from
sending to the whole body received. One server run per ``--encoders`` value (``SHAREKG_ENCODER_RUNTIME``: auto is
ONNX Runtime where it loads, torch the model's own forward pass) and ``--torch-threads`` value
(``OMP_NUM_THREADS``; 0 leaves torch's default, one per core). Recorded per level: the machine's load average
(``os.getloadavg``) before it; CPU time per answered request of the server process (all its threads, from
``/proc/<pid>/stat``) and of the clients (this process); and the share of the machine's CPU time in use
(``/proc/stat``), which tells a level limited by the cores from one limited by the server's one interpreter.

``--misbehave`` runs every level twice: alone, then beside a misbehaving client started with the measured window
(asyncio tasks in this process, every connection to 127.0.0.1, each bounded in count and time, all stopped within
``GRACE_S`` of the level's end):

- a flood of ``POST /match`` from one other loopback address (``FLOOD_ADDRESS``, ``FLOOD_CONNECTIONS`` connections,
  closed loop, every need different), and one connection from 127.0.0.1 naming a new ``X-Forwarded-For`` address
  each time (uvicorn believes that header from 127.0.0.1 by default); the ``X-Demand-Log`` of every answer is counted;
- slow bodies: ``SLOW_CONNECTIONS`` connections each sending a ``/match`` body a byte at a time, ``SLOW_PAUSE_S``
  apart, and one body that stops halfway and waits for the server until the level ends;
- huge headers: a ``GET /health`` with a ``HUGE_HEADER_BYTES`` header every ``HOSTILE_EVERY_S``;
- oversized bodies: a ``POST /match`` declaring a ``Content-Length`` over ``SHAREKG_MAX_BODY_BYTES`` every
  ``HOSTILE_EVERY_S``, and once per level a chunked body (no length declared) streamed past the limit.

What each misbehaving request got is counted by status (or by what became of the connection: ``closed`` without an
answer, ``reset``, ``timeout`` when the client's own bound came first). Nothing lost: the rows the demand log gained
over the level are compared with the ``logged`` answers both clients received.

``--quick``: 4 s per level after a 1 s warm-up, the ONNX Runtime encoder only (unless ``--duration``, ``--encoders``
say otherwise): a check in about two minutes.

Writes ``load.json`` and ``load.md`` in ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample"
WARMUP_S = 3.0
REQUEST_TIMEOUT_S = 60.0
START_TIMEOUT_S = 600.0
TARGET_P95_MS = 100.0
QUICK_DURATION_S, QUICK_WARMUP_S = 4.0, 1.0

#: The misbehaving client (``--misbehave``).
FLOOD_ADDRESS = "127.0.0.2"  # loopback, not the well-behaved clients' address: the demand log limits per address
FLOOD_CONNECTIONS = 4
SPOOF_CONNECTIONS = 1
SLOW_CONNECTIONS = 8
SLOW_PAUSE_S = 0.05  # between the bytes of a slow body (about 50 bytes: 2.5 s a body)
SLOW_MAX_S = 10.0  # the client's bound on one slow request
HUGE_HEADER_BYTES = 1 << 20
HOSTILE_EVERY_S = 1.0  # a huge header and an oversized declared body this often
PIECE_BYTES = 1 << 16  # what a huge header or an oversized body is written in
GRACE_S = 15.0  # the misbehaving client's tasks end at most this long after the level

SPARQL_QUERIES = [
    """PREFIX skg: <https://w3id.org/sharekg/ns#>
SELECT ?type (COUNT(?r) AS ?n) WHERE { VALUES ?type { skg:Instrument skg:Facility skg:Dataset skg:Expert }
  ?r a ?type } GROUP BY ?type""",
    """PREFIX skg: <https://w3id.org/sharekg/ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?r ?label ?org WHERE { ?r a skg:Instrument ; rdfs:label ?label ; skg:hostedBy/rdfs:label ?org }
ORDER BY ?label LIMIT 20""",
    """PREFIX skg: <https://w3id.org/sharekg/ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE { ?r a skg:Facility ; rdfs:label ?label FILTER(CONTAINS(LCASE(?label), "light")) } LIMIT 20""",
    """SELECT ?p ?o WHERE { <https://w3id.org/sharekg/id/instrument/xas-beamlines/SOLEIL%2FSAMBA> ?p ?o }""",
]


@dataclass
class Level:
    endpoint: str
    clients: int
    seconds: float
    requests: int
    failures: int
    throughput: float  # answered requests (any status) per second
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    failure_kinds: dict[str, int] = field(default_factory=dict)
    server_cpu_ms: float | None = None  # the server's CPU time (all threads) per answered request
    client_cpu_ms: float | None = None  # this process's (the clients') CPU time per answered request
    machine_busy: float | None = None  # share of the machine's CPU time (all cores, all processes) in use
    demand_log: dict[str, int] = field(default_factory=dict)  # X-Demand-Log of the well-behaved answers
    #: With ``--misbehave``: what each misbehaviour got (None: the level ran alone), the rows the demand log gained
    #: over the level and the ``logged`` answers all clients received (equal: nothing lost).
    misbehaving: dict[str, Outcomes] | None = None
    log_rows_added: int | None = None
    logged_answers: int | None = None


@dataclass
class Outcomes:
    """What one kind of misbehaving request got: counts by status or fate, and how long each took."""

    counts: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    p50_ms: float | None = None
    max_ms: float | None = None
    per_s: float | None = None

    @classmethod
    def of(cls, seen: list[tuple[str, float]], seconds: float) -> Outcomes:
        ordered = sorted(ms for _, ms in seen)
        return cls(dict(Counter(kind for kind, _ in seen).most_common()), len(seen), _round(percentile(ordered, 50)),
                   _round(ordered[-1] if ordered else None), round(len(seen) / seconds, 1))  # fmt: skip


@dataclass
class Run:
    encoder: str  # SHAREKG_ENCODER_RUNTIME of the server: auto (ONNX Runtime), onnx or torch
    torch_threads: str  # "default" or a number
    startup_s: float
    levels: list[Level]


def need_texts(limit: int = 400) -> list[str]:
    """Real texts of the bundled sample: award titles and the titles of datasets' source papers."""
    texts: list[str] = []
    for path, key in ((SAMPLE / "nsf-mri-instruments" / "awards.jsonl", "title"),
                      (SAMPLE / "datafinder-datasets" / "datasets.jsonl", "source_paper_title")):  # fmt: skip
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            value = json.loads(line).get(key)
            if isinstance(value, str) and len(value.split()) >= 4:
                texts.append(value.strip())
    # interleave the two sources so every stretch of requests mixes them
    awards, papers = texts[: len(texts) // 2], texts[len(texts) // 2 :]
    mixed = [t for pair in zip(awards, papers, strict=False) for t in pair]
    return mixed[:limit]


def percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_data(source: Path, in_place: bool) -> tuple[Path, tempfile.TemporaryDirectory[str] | None]:
    if in_place:
        return source, None
    temporary = tempfile.TemporaryDirectory(prefix="sharekg-load-")
    target = Path(temporary.name)
    for name in ("store", "index", "embeddings.sqlite", "models"):
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name)
        elif path.is_file():
            shutil.copy2(path, target / name)
    if not (target / "store").is_dir():
        raise SystemExit(f"no store in {source}; run `sharekg ingest --sample` first")
    # Bring the copy's index up to date with this checkout (a no-op when it is; cached embeddings are reused).
    env = dict(os.environ, SHAREKG_DATA_DIR=str(target), HF_HUB_OFFLINE="1")
    subprocess.run([str(Path(sys.executable).with_name("sharekg")), "index"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return target, temporary


def start_server(
    data_dir: Path, port: int, encoder: str, torch_threads: int, log: Path
) -> tuple[subprocess.Popen[bytes], float]:  # fmt: skip
    """Start ``sharekg serve``; its output goes to ``log`` (a pipe nobody reads would fill and stall it)."""
    env = dict(os.environ, SHAREKG_DATA_DIR=str(data_dir), SHAREKG_PORT=str(port), HF_HUB_OFFLINE="1",
               SHAREKG_ENCODER_RUNTIME=encoder)  # fmt: skip
    if torch_threads:
        env.update(OMP_NUM_THREADS=str(torch_threads), MKL_NUM_THREADS=str(torch_threads))
    else:
        env.pop("OMP_NUM_THREADS", None)
        env.pop("MKL_NUM_THREADS", None)
    sharekg = Path(sys.executable).with_name("sharekg")
    started = time.perf_counter()
    with log.open("wb") as out:
        server = subprocess.Popen([str(sharekg), "serve", "--port", str(port)], env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + START_TIMEOUT_S
    said = ""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"sharekg serve exited ({server.returncode}): {log.read_text(errors='replace')[-2000:]}")
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
        except (httpx.HTTPError, ValueError):
            time.sleep(0.5)
            continue
        if health.get("status") == "ok" and health.get("index_current"):
            ready = time.perf_counter() - started
            wait_until_idle(server.pid)  # the graph statistics it warms in the background take seconds of CPU
            return server, ready
        if health != said:
            print(f"  waiting for the index: {health}", file=sys.stderr)
            said = health
        time.sleep(2)
    server.terminate()
    raise SystemExit(f"the server did not report a current index within {START_TIMEOUT_S:.0f} s")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) process ``pid`` has used, from /proc; None where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


def wait_until_idle(pid: int, busy_share: float = 0.05, timeout_s: float = 120.0) -> None:
    """Return once process ``pid`` uses under ``busy_share`` of a core over half a second (or after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        after = cpu_seconds(pid)
        if before is None or after is None or (after - before) / 0.5 < busy_share:
            return


def machine_busy() -> tuple[float, float] | None:
    """(busy, all) CPU time of the whole machine so far, from /proc/stat; None where there is none."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return None
    idle = ticks[3] + ticks[4]  # idle, iowait
    return float(sum(ticks) - idle), float(sum(ticks))


async def level(
    base: str, endpoint: str, clients: int, duration: float, needs: list[str], server_pid: int,
    warmup: float = WARMUP_S, hostile: Hostile | None = None,
) -> Level:  # fmt: skip
    """One level: ``clients`` well-behaved clients for ``duration`` seconds, beside ``hostile`` when given."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S, limits=limits) as client:

        def request(i: int) -> httpx.Request:
            if endpoint == "/match":
                return client.build_request("POST", "/match", json={"text": needs[i % len(needs)], "k": 5})
            query = SPARQL_QUERIES[i % len(SPARQL_QUERIES)]
            return client.build_request("POST", "/sparql", content=query.encode(), headers={
                "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})  # fmt: skip

        latencies: list[float] = []
        failures: dict[str, int] = {}
        demand: Counter[str] = Counter()
        counter = 0

        async def worker(until: float, record: bool) -> None:
            nonlocal counter
            while time.perf_counter() < until:
                counter += 1
                started = time.perf_counter()
                try:
                    response = await client.send(request(counter))
                    await response.aread()
                    kind = None if response.status_code == 200 else str(response.status_code)
                    said = response.headers.get("X-Demand-Log")
                except httpx.HTTPError as e:
                    kind, said = type(e).__name__, None
                if not record:
                    continue
                if said:
                    demand[said] += 1
                latencies.append((time.perf_counter() - started) * 1000)
                if kind:
                    failures[kind] = failures.get(kind, 0) + 1

        await asyncio.gather(*(worker(time.perf_counter() + warmup, False) for _ in range(clients)))
        rows_before = hostile.log_rows() if hostile is not None else None
        before = os.getloadavg()
        server_before, client_before, machine_before = cpu_seconds(server_pid), time.process_time(), machine_busy()
        began = time.perf_counter()
        beside = asyncio.ensure_future(hostile.run(began + duration)) if hostile is not None else None
        await asyncio.gather(*(worker(began + duration, True) for _ in range(clients)))
        seconds = time.perf_counter() - began
        server_after, client_after, machine_after = cpu_seconds(server_pid), time.process_time(), machine_busy()
        misbehaving = await beside if beside is not None else None
    ordered = sorted(latencies)
    answered = max(len(ordered), 1)
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    busy = None
    if machine_before is not None and machine_after is not None and machine_after[1] > machine_before[1]:
        busy = (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1])
    return Level(
        endpoint=endpoint, clients=clients, seconds=round(seconds, 2), requests=len(ordered),
        failures=sum(failures.values()), throughput=round(len(ordered) / seconds, 1),
        p50_ms=_round(percentile(ordered, 50)), p95_ms=_round(percentile(ordered, 95)),
        p99_ms=_round(percentile(ordered, 99)), max_ms=_round(ordered[-1] if ordered else None),
        load_before=before, load_after=os.getloadavg(), failure_kinds=failures,
        server_cpu_ms=None if server_cpu is None else round(server_cpu * 1000 / answered, 1),
        client_cpu_ms=round((client_after - client_before) * 1000 / answered, 1),
        machine_busy=None if busy is None else round(busy, 2), demand_log=dict(demand), misbehaving=misbehaving,
        log_rows_added=None if hostile is None or rows_before is None else _minus(hostile.log_rows(), rows_before),
        logged_answers=None if misbehaving is None else demand["logged"] + logged_of(misbehaving),
    )  # fmt: skip


def _minus(after: int | None, before: int) -> int | None:
    return None if after is None else after - before


def logged_of(misbehaving: dict[str, Outcomes]) -> int:
    """The misbehaving client's answers that said ``X-Demand-Log: logged``."""
    return sum(n for o in misbehaving.values() for kind, n in o.counts.items() if kind.endswith(" logged"))


# ---- the misbehaving client ---------------------------------------------------------------------------------------


class Hostile:
    """The misbehaving client of one server (``--misbehave``): ``run`` until a time, then what each kind got."""

    def __init__(self, port: int, needs: list[str], max_body: int, demand_path: Path) -> None:
        self.port, self.needs, self.max_body, self.demand_path = port, needs, max_body, demand_path
        self.base = f"http://127.0.0.1:{port}"
        self._sent = 0  # needs sent by the floods, so that each is new (not a duplicate of an earlier one)

    def log_rows(self) -> int | None:
        """Rows of the server's demand log now (None while there is none)."""
        if not self.demand_path.is_file():
            return None
        db = sqlite3.connect(f"file:{self.demand_path}?mode=ro", uri=True, timeout=10)
        try:
            return int(db.execute("SELECT count(*) FROM needs").fetchone()[0])
        finally:
            db.close()

    async def run(self, until: float) -> dict[str, Outcomes]:
        started = time.perf_counter()
        kinds: dict[str, Awaitable[list[tuple[str, float]]]] = {
            "flood": self.flood(until, FLOOD_ADDRESS, FLOOD_CONNECTIONS, spoof=False),
            "flood, X-Forwarded-For spoofed": self.flood(until, "127.0.0.1", SPOOF_CONNECTIONS, spoof=True),
            "slow body": repeated(self.slow_body, until, parallel=SLOW_CONNECTIONS),
            "stalled body": repeated(lambda: self.stalled_body(until), until, once=True),
            "1 MB header": repeated(self.huge_header, until, every=HOSTILE_EVERY_S),
            "oversized, declared": repeated(self.oversized_declared, until, every=HOSTILE_EVERY_S),
            "oversized, chunked": repeated(self.oversized_chunked, until, once=True),
        }
        results = await asyncio.wait_for(asyncio.gather(*kinds.values()), timeout=until - started + GRACE_S)
        await asyncio.sleep(0.5)  # the last logged needs reach the database
        seconds = time.perf_counter() - started
        return {name: Outcomes.of(seen, seconds) for name, seen in zip(kinds, results, strict=True)}

    async def flood(self, until: float, address: str, connections: int, spoof: bool) -> list[tuple[str, float]]:
        """``POST /match`` as fast as answers come, from ``address``; each kind is status and ``X-Demand-Log``."""
        seen: list[tuple[str, float]] = []
        transport = httpx.AsyncHTTPTransport(local_address=address, limits=httpx.Limits(max_connections=connections))
        async with httpx.AsyncClient(base_url=self.base, transport=transport, timeout=REQUEST_TIMEOUT_S) as client:

            async def one() -> None:
                while time.perf_counter() < until:
                    self._sent += 1
                    n = self._sent
                    headers = {"X-Forwarded-For": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"} if spoof else {}
                    body = {"text": f"{self.needs[n % len(self.needs)]} (request {n})", "k": 5}
                    began = time.perf_counter()
                    try:
                        response = await client.post("/match", json=body, headers=headers)
                        kind = f"{response.status_code} {response.headers.get('X-Demand-Log', '-')}"
                    except httpx.HTTPError as e:
                        kind = type(e).__name__
                    seen.append((kind, (time.perf_counter() - began) * 1000))

            await asyncio.gather(*(one() for _ in range(connections)))
        return seen

    def _head(self, method: str, path: str, headers: dict[str, str]) -> bytes:
        fields = {"Host": f"127.0.0.1:{self.port}", **headers, "Connection": "close"}
        lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in fields.items()), "", ""]
        return "\r\n".join(lines).encode()

    def _match_body(self) -> bytes:
        """A small ``/match`` body (about 50 bytes)."""
        return json.dumps({"text": " ".join(self.needs[0].split()[:5]), "k": 3}).encode()

    async def slow_body(self) -> tuple[str, float]:
        """A small ``/match`` body, one byte every ``SLOW_PAUSE_S``."""
        body = self._match_body()
        head = self._head("POST", "/match", {"Content-Type": "application/json", "Content-Length": str(len(body))})
        return await exchange(self.port, [head, *(body[i : i + 1] for i in range(len(body)))], SLOW_PAUSE_S,
                              time.perf_counter() + SLOW_MAX_S)  # fmt: skip

    async def stalled_body(self, until: float) -> tuple[str, float]:
        """Half a ``/match`` body, then nothing: does the server close the connection before ``until``?"""
        body = self._match_body()
        head = self._head("POST", "/match", {"Content-Type": "application/json", "Content-Length": str(len(body))})
        return await exchange(self.port, [head, body[: len(body) // 2]], 0.0, until)

    async def huge_header(self) -> tuple[str, float]:
        head = self._head("GET", "/health", {"X-Padding": "a" * HUGE_HEADER_BYTES})
        return await exchange(self.port, _pieces(head), 0.0, time.perf_counter() + SLOW_MAX_S)

    async def oversized_declared(self) -> tuple[str, float]:
        """A ``Content-Length`` over the limit, and the first 64 KiB of such a body."""
        head = self._head("POST", "/match", {"Content-Type": "application/json",
                                             "Content-Length": str(self.max_body + 1)})  # fmt: skip
        return await exchange(self.port, [head, b" " * PIECE_BYTES], 0.0, time.perf_counter() + SLOW_MAX_S)

    async def oversized_chunked(self) -> tuple[str, float]:
        """A chunked body (no length declared) streamed until the server answers or it is 1 MiB over the limit."""
        head = self._head("POST", "/match", {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        frame = f"{PIECE_BYTES:x}\r\n".encode() + b" " * PIECE_BYTES + b"\r\n"
        frames = (frame for _ in range((self.max_body >> 16) + 17))
        return await exchange(self.port, [head, *frames, b"0\r\n\r\n"], 0.0, time.perf_counter() + 2 * SLOW_MAX_S)


async def repeated(
    make: Callable[[], Awaitable[tuple[str, float]]], until: float, *, every: float = 0.0, parallel: int = 1,
    once: bool = False,
) -> list[tuple[str, float]]:  # fmt: skip
    """``make`` again and again until ``until`` (``parallel`` at a time, ``every`` seconds apart), or ``once``."""
    seen: list[tuple[str, float]] = []

    async def loop() -> None:
        while time.perf_counter() < until:
            seen.append(await make())
            if once:
                return
            await asyncio.sleep(max(0.0, min(every, until - time.perf_counter())))

    await asyncio.gather(*(loop() for _ in range(parallel)))
    return seen


async def _demand_log(reader: asyncio.StreamReader) -> str:
    """The ``X-Demand-Log`` among the answer's header lines (read up to the blank line), or ``""``."""
    said = ""
    while (line := await reader.readline()).strip():
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "x-demand-log":
            said = value.strip()
    return said


def _pieces(data: bytes) -> Iterator[bytes]:
    return (data[i : i + PIECE_BYTES] for i in range(0, len(data), PIECE_BYTES))


async def exchange(port: int, pieces: Iterable[bytes], pause: float, deadline: float) -> tuple[str, float]:
    """Send ``pieces`` on a new connection (``pause`` seconds between them), reading the answer's status line all the
    while; the status (and the ``X-Demand-Log`` when there is one), or the connection's fate (``closed`` with no
    answer, ``reset``, ``timeout``: ``deadline`` came first), and the milliseconds it took. Stops sending once the
    server has answered."""
    began = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5.0)
    except (OSError, TimeoutError) as e:
        return type(e).__name__, (time.perf_counter() - began) * 1000
    status = asyncio.ensure_future(reader.readline())

    async def send() -> None:
        for i, piece in enumerate(pieces):
            if status.done():
                return
            if pause and i:
                await asyncio.sleep(pause)
            writer.write(piece)
            await writer.drain()

    try:
        # the server closed, or time is up: what it answered (if anything) is read below
        with contextlib.suppress(ConnectionError, TimeoutError):
            await asyncio.wait_for(send(), max(deadline - time.perf_counter(), 0.001))
        line = await asyncio.wait_for(status, max(deadline - time.perf_counter(), 0.5))
        fate = line.split()[1].decode() if line.startswith(b"HTTP/") and len(line.split()) > 1 else "closed"
        if fate != "closed":
            said = await asyncio.wait_for(_demand_log(reader), 5.0)
            fate += f" {said}" if said else ""
    except TimeoutError:
        fate = "timeout"
    except ConnectionError:
        fate = "reset"
    finally:
        status.cancel()
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return fate, (time.perf_counter() - began) * 1000


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def run_once(
    data_dir: Path,
    encoder: str,
    torch_threads: int,
    endpoints: list[str],
    levels: list[int],
    duration: float,
    needs: list[str],
    warmup: float = WARMUP_S,
    misbehave: bool = False,
) -> Run:
    port = free_port()
    print(f"starting sharekg serve on port {port} (encoder {encoder}, torch threads: {torch_threads or 'default'})",
          file=sys.stderr)  # fmt: skip
    log = data_dir / f"serve-{port}.log"
    server, startup = start_server(data_dir, port, encoder, torch_threads, log)
    results: list[Level] = []
    try:
        hostile = Hostile(port, needs, max_body_bytes(), data_dir / "demand.sqlite") if misbehave else None
        for endpoint in endpoints:
            for clients in levels:
                for beside in (None, hostile) if hostile is not None else (None,):
                    base = f"http://127.0.0.1:{port}"
                    result = asyncio.run(level(base, endpoint, clients, duration, needs, server.pid, warmup, beside))
                    print(f"  {endpoint:7} {clients:3} clients{' + misbehaving' if beside else ''}: "
                          f"{result.throughput:7.1f} req/s  p50 {result.p50_ms} "
                          f"p95 {result.p95_ms} p99 {result.p99_ms} ms  failures {result.failures}  "
                          f"CPU ms/request server {result.server_cpu_ms} clients {result.client_cpu_ms}  "
                          f"machine busy {result.machine_busy}  "
                          f"load {result.load_before[0]:.2f}", file=sys.stderr)  # fmt: skip
                    if result.misbehaving is not None:
                        for name, got in result.misbehaving.items():
                            print(f"      {name}: {got.counts}", file=sys.stderr)
                        print(f"      demand log: +{result.log_rows_added} rows, {result.logged_answers} answers "
                              "said logged", file=sys.stderr)  # fmt: skip
                    results.append(result)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return Run(encoder, str(torch_threads or "default"), round(startup, 1), results)


def max_body_bytes() -> int:
    """The server's body limit: ``SHAREKG_MAX_BODY_BYTES`` as the server reads it from this environment."""
    sys.path.insert(0, str(REPO))
    from api.settings import Settings

    return Settings().max_body_bytes


def markdown(runs: list[Run], meta: dict[str, object]) -> str:
    lines = [
        "# Load: `/match` and `/sparql` over loopback",
        "",
        f"`python benchmarks/load.py {meta['args']}` on {meta['machine']}, {meta['date']}. One `sharekg serve` "
        "(one uvicorn worker) over the bundled sample; clients in the same process on the same 2 cores "
        f"(closed loop, {meta['duration']} s per level after a {meta['warmup']:g} s warm-up). Load average "
        f"(`uptime`) at the start: {meta['load_start']}; at the end: {meta['load_end']} (both count the "
        "benchmark's own processes).",
        "",
        f"Target: `/match` p95 under {TARGET_P95_MS:.0f} ms at 8 clients, no failed request at 32.",
        "",
    ]
    for run in runs:
        lines += [
            f"## encoder {run.encoder}, torch threads: {run.torch_threads} (server ready in {run.startup_s} s)",
            "",
            "| endpoint | clients | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failures "
            "| server CPU ms/req | client CPU ms/req | machine CPU busy | load 1 min |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in run.levels:
            if r.misbehaving is not None:
                continue
            kinds = f" ({', '.join(f'{k}: {n}' for k, n in r.failure_kinds.items())})" if r.failure_kinds else ""
            lines.append(
                f"| `{r.endpoint}` | {r.clients} | {r.requests} | {r.throughput} | {r.p50_ms} | {r.p95_ms} | "
                f"{r.p99_ms} | {r.max_ms} | {r.failures}{kinds} | {r.server_cpu_ms} | {r.client_cpu_ms} | "
                f"{'' if r.machine_busy is None else f'{r.machine_busy:.0%}'} | {r.load_before[0]:.2f} |"
            )
        lines.append("")
        lines += misbehaving_markdown(run)
    return "\n".join(lines)


def misbehaving_markdown(run: Run) -> list[str]:
    """The levels run beside the misbehaving client, against the same levels alone; what the misbehaviour got."""
    alone = {(r.endpoint, r.clients): r for r in run.levels if r.misbehaving is None}
    beside = [r for r in run.levels if r.misbehaving is not None]
    if not beside:
        return []
    lines = [
        "### Beside a misbehaving client",
        "",
        "The well-behaved clients alone and beside the misbehaving one (a `/match` flood from another loopback address "
        "and one with spoofed `X-Forwarded-For`, slow and stalled bodies, 1 MB headers, oversized bodies). The demand "
        "log's rows gained over the level against the `logged` answers all clients got: equal when nothing is lost.",
        "",
        "| endpoint | clients | req/s alone / beside | p95 ms alone / beside | failures alone / beside "
        "| well-behaved `X-Demand-Log` beside | demand log: rows added / `logged` answers | load 1 min |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in beside:
        a = alone.get((r.endpoint, r.clients))
        said = ", ".join(f"{k}: {n}" for k, n in sorted(r.demand_log.items())) or "-"
        lines.append(
            f"| `{r.endpoint}` | {r.clients} | {a.throughput if a else ''} / {r.throughput} | "
            f"{a.p95_ms if a else ''} / {r.p95_ms} | {a.failures if a else ''} / {r.failures} | {said} | "
            f"{r.log_rows_added} / {r.logged_answers} | {r.load_before[0]:.2f} |"
        )
    kinds = list(beside[0].misbehaving or {})
    lines += ["", "What the misbehaving requests got, per level (status or the connection's fate: count; requests a "
              "second; p50 / max ms):", "",
              "| misbehaviour | " + " | ".join(f"`{r.endpoint}` {r.clients}" for r in beside) + " |",
              "| --- |" + " --- |" * len(beside)]  # fmt: skip
    for kind in kinds:
        cells = []
        for r in beside:
            o = (r.misbehaving or {})[kind]
            counts = ", ".join(f"{k}: {n}" for k, n in o.counts.items()) or "none"
            cells.append(f"{counts} ({o.per_s}/s; {o.p50_ms} / {o.max_ms} ms)")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=REPO / "var", help="ingested and indexed sample")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32], help="concurrent clients")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per level")
    threads_help = "one server run per value: OMP_NUM_THREADS for the server, 0 for torch's default"
    parser.add_argument("--torch-threads", type=int, nargs="+", default=[1], help=threads_help)
    encoders_help = "one server run per value (SHAREKG_ENCODER_RUNTIME): auto is ONNX Runtime where it works"
    parser.add_argument("--encoders", nargs="+", default=["auto", "torch"], choices=["auto", "onnx", "torch"],
                        help=encoders_help)  # fmt: skip
    parser.add_argument("--endpoints", nargs="+", default=["/match", "/sparql"], choices=["/match", "/sparql"])
    parser.add_argument("--in-place", action="store_true", help="serve --data-dir itself, not a copy")
    parser.add_argument("--misbehave", action="store_true", help="each level again, beside a misbehaving client")
    parser.add_argument("--quick", action="store_true", help="4 s levels, ONNX Runtime only: a check, not figures")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    given = set(sys.argv[1:])
    warmup = WARMUP_S
    if args.quick:
        warmup = QUICK_WARMUP_S
        if "--duration" not in given:
            args.duration = QUICK_DURATION_S
        if "--encoders" not in given:
            args.encoders = ["auto"]
    if args.misbehave and args.in_place:
        parser.error("--misbehave floods the demand log: run it on a copy (without --in-place)")

    needs = need_texts()
    data_dir, temporary = prepare_data(args.data_dir, args.in_place)
    meta: dict[str, object] = {
        "args": " ".join(sys.argv[1:]), "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "duration": args.duration, "warmup": warmup, "needs": len(needs), "load_start": _load(),
    }  # fmt: skip
    try:
        runs = [run_once(data_dir, e, t, args.endpoints, args.levels, args.duration, needs, warmup, args.misbehave)
                for e in args.encoders for t in args.torch_threads]  # fmt: skip
    finally:
        if temporary is not None:
            temporary.cleanup()
    meta["load_end"] = _load()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps({"meta": meta, "runs": [asdict(r) for r in runs]}, indent=2) + "\n")
    (args.out / "load.md").write_text(markdown(runs, meta))
    print(markdown(runs, meta))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
