"""SPARQL limits: what an ordinary query costs at ``/sparql``, what the hostile ones of issue 14 cost the server.

Usage: python benchmarks/sparql_limits.py STORE [--runs 300] [--label after] [--out benchmarks/results]

``STORE`` is an on-disk store holding the bundled sample (``sharekg ingest --sample`` writes one to ``var/store``;
the benchmark copies it to a temporary folder first, since the service's store is held open read-write by one
process). Measured through ``api.sparql.SparqlRunner`` itself, in this process, as the service calls it (the HTTP
layer adds the same to either runner):

- latency of an ordinary query (five instruments with their labels; and one of 10,000 rows), p50 and p95
  over ``--runs`` runs after a warm-up;
- the ORDER BY attack (``SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1``): this process's resident
  memory, sampled every 50 ms, before and at its peak, and what the client got. Run the runner of before the
  change under ``ulimit -v`` (the attack grows without bound there);
- two runaway four-way cross-join counts under a 1 s time limit, then an ordinary query: how long after their limit
  until a query is answered again (it never was, before the change: this stops waiting after 20 s).

Writes ``sparql-limits-<label>.json`` in ``--out``; ``sparql-limits.md`` there sets both labels side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from api.problems import Problem
from api.sparql import SparqlRunner
from graph.store import open_store

ORDINARY = """PREFIX skg: <https://w3id.org/sharekg/ns#>
SELECT ?s ?label WHERE { ?s a skg:Instrument ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 5"""
ROWS_10K = "SELECT * WHERE { ?s ?p ?o }"
ORDER_BY_ATTACK = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
CROSS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
GIVE_UP_S = 20.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def latency(runner: SparqlRunner, query: str, runs: int) -> dict[str, float]:
    for _ in range(10):
        runner.run(query, "application/sparql-results+json")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        runner.run(query, "application/sparql-results+json")
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(len(times) * 0.95)], 2)}


def attack(runner: SparqlRunner) -> dict[str, object]:
    before = rss_mb()
    peak = before
    outcome: dict[str, object] = {}

    def go() -> None:
        try:
            runner.run(ORDER_BY_ATTACK, "application/sparql-results+json")
            outcome["answer"] = "200"
        except Problem as e:
            outcome["answer"] = f"{e.status} {e.kind}"
        except BaseException as e:
            outcome["answer"] = f"{type(e).__name__}: {e}"

    start = time.monotonic()
    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    while thread.is_alive() and time.monotonic() - start < GIVE_UP_S:
        peak = max(peak, rss_mb())
        print(f"attack: {time.monotonic() - start:.2f} s, {rss_mb():.0f} MB resident", flush=True)
        thread.join(0.05)
    return {"rss_before_mb": round(before), "rss_peak_mb": round(peak), "answer": outcome.get("answer", "none"),
            "seconds": round(time.monotonic() - start, 2)}  # fmt: skip


def runaways(runner: SparqlRunner) -> dict[str, object]:
    runner.timeout_s = 1.0
    answers: list[str] = []

    def go() -> None:
        try:
            runner.run(CROSS_COUNT, "application/sparql-results+json")
            answers.append("200")
        except Problem as e:
            answers.append(f"{e.status} {e.kind}")

    threads = [threading.Thread(target=go, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limit_hit = time.monotonic()
    while time.monotonic() - limit_hit < GIVE_UP_S:
        try:
            runner.run(ORDINARY, "application/sparql-results+json")
            return {"runaways": answers, "seconds_until_answered": round(time.monotonic() - limit_hit, 3)}
        except Problem:
            time.sleep(0.05)
    return {"runaways": answers, "seconds_until_answered": f"none within {GIVE_UP_S:g} s"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--label", default="after")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument(
        "--only", choices=["latency", "attack", "runaways"], help="run one part (under ulimit -v: the attack)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(args.store, Path(tmp) / "store")
        store = open_store(Path(tmp) / "store")
        runner = SparqlRunner(store, 10.0, 10_000)
        if args.only == "latency":
            print(json.dumps({"ordinary": latency(runner, ORDINARY, args.runs),
                              "rows_10k": latency(runner, ROWS_10K, max(args.runs // 10, 10))}))  # fmt: skip
            os._exit(0)
        if args.only == "attack":
            print(json.dumps(attack(runner)))
            os._exit(0)
        if args.only == "runaways":
            print(json.dumps(runaways(runner)))
            os._exit(0)  # the runner of before still has two evaluations running, which nothing can stop
        result: dict[str, object] = {
            "label": args.label,
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, Python {platform.python_version()}",
            "ordinary": latency(runner, ORDINARY, args.runs),
            "rows_10k": latency(runner, ROWS_10K, max(args.runs // 10, 10)),
            "order_by_attack": attack(runner),
            "runaways": runaways(runner),
        }
        print(json.dumps(result, indent=2))
        (args.out / f"sparql-limits-{args.label}.json").write_text(json.dumps(result, indent=2) + "\n")
        runner.close()
        store.close()


if __name__ == "__main__":
    main()
