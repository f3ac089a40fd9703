"""Load benchmark: ``/match`` and ``/sparql`` of a real ``sharekg serve`` on loopback, at 1, 8 and 32 concurrent
clients; throughput, latency percentiles, failures and CPU time per request at each level.

Usage: python benchmarks/load.py [--data-dir var] [--levels 1 8 32] [--duration 20] [--encoders auto torch]
                                 [--torch-threads 1] [--endpoints /match /sparql] [--in-place]
                                 [--out benchmarks/results]

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

Writes ``load.json`` and ``load.md`` in ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
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
    base: str, endpoint: str, clients: int, duration: float, needs: list[str], server_pid: int
) -> Level:  # fmt: skip
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
                except httpx.HTTPError as e:
                    kind = type(e).__name__
                if not record:
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                if kind:
                    failures[kind] = failures.get(kind, 0) + 1

        await asyncio.gather(*(worker(time.perf_counter() + WARMUP_S, False) for _ in range(clients)))
        before = os.getloadavg()
        server_before, client_before, machine_before = cpu_seconds(server_pid), time.process_time(), machine_busy()
        began = time.perf_counter()
        await asyncio.gather(*(worker(began + duration, True) for _ in range(clients)))
        seconds = time.perf_counter() - began
        server_after, client_after, machine_after = cpu_seconds(server_pid), time.process_time(), machine_busy()
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
        machine_busy=None if busy is None else round(busy, 2),
    )  # fmt: skip


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
) -> Run:
    port = free_port()
    print(f"starting sharekg serve on port {port} (encoder {encoder}, torch threads: {torch_threads or 'default'})",
          file=sys.stderr)  # fmt: skip
    log = data_dir / f"serve-{port}.log"
    server, startup = start_server(data_dir, port, encoder, torch_threads, log)
    results: list[Level] = []
    try:
        for endpoint in endpoints:
            for clients in levels:
                base = f"http://127.0.0.1:{port}"
                result = asyncio.run(level(base, endpoint, clients, duration, needs, server.pid))
                print(f"  {endpoint:7} {clients:3} clients: {result.throughput:7.1f} req/s  p50 {result.p50_ms} "
                      f"p95 {result.p95_ms} p99 {result.p99_ms} ms  failures {result.failures}  "
                      f"CPU ms/request server {result.server_cpu_ms} clients {result.client_cpu_ms}  "
                      f"machine busy {result.machine_busy}  "
                      f"load {result.load_before[0]:.2f}", file=sys.stderr)  # fmt: skip
                results.append(result)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return Run(encoder, str(torch_threads or "default"), round(startup, 1), results)


def markdown(runs: list[Run], meta: dict[str, object]) -> str:
    lines = [
        "# Load: `/match` and `/sparql` over loopback",
        "",
        f"`python benchmarks/load.py {meta['args']}` on {meta['machine']}, {meta['date']}. One `sharekg serve` "
        "(one uvicorn worker) over the bundled sample; clients in the same process on the same 2 cores "
        f"(closed loop, {meta['duration']} s per level after a {WARMUP_S:.0f} s warm-up). Load average "
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
            kinds = f" ({', '.join(f'{k}: {n}' for k, n in r.failure_kinds.items())})" if r.failure_kinds else ""
            lines.append(
                f"| `{r.endpoint}` | {r.clients} | {r.requests} | {r.throughput} | {r.p50_ms} | {r.p95_ms} | "
                f"{r.p99_ms} | {r.max_ms} | {r.failures}{kinds} | {r.server_cpu_ms} | {r.client_cpu_ms} | "
                f"{'' if r.machine_busy is None else f'{r.machine_busy:.0%}'} | {r.load_before[0]:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


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
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()

    needs = need_texts()
    data_dir, temporary = prepare_data(args.data_dir, args.in_place)
    meta: dict[str, object] = {
        "args": " ".join(sys.argv[1:]), "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "duration": args.duration, "needs": len(needs), "load_start": _load(),
    }  # fmt: skip
    try:
        runs = [run_once(data_dir, e, t, args.endpoints, args.levels, args.duration, needs)
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
