"""Bolt-path benchmark: write throughput and read latency of the Neo4j backend beside the embedded store.

Usage: python benchmarks/neo4j_backend.py [--sources NAME ...] [--reads N] [--out benchmarks/results]

The bundled sample sources named (default: four small ones) are ingested once into an in-memory embedded store;
that graph is then written into each store under test with ``graph.store.migrate.copy_store`` (the same staged
``UNWIND ... MERGE`` batches and catalogue flip an ingest uses) and timed as triples per second. Reads are timed
per call on resources drawn from the graph: ``describe``, ``incoming`` (limit 50) and ``count_by_type``, as
p50/p95 milliseconds. Stores: the embedded Oxigraph store on disk; ArcadeDB over Bolt (started here from
``arcadedb-embedded``); and a real Neo4j when SHAREKG_NEO4J_URI is set (its sharekg graph is emptied first).
Prints a table and writes ``neo4j.json`` and ``neo4j.md``. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph.store import Store, open_neo4j_store, open_store  # noqa: E402
from graph.store.migrate import copy_store  # noqa: E402
from ingest.pipeline import ingest_source, plan  # noqa: E402
from tests.contract.arcadedb import arcadedb_server  # noqa: E402

DEFAULT_SOURCES = ["xas-beamlines", "subjects-oecd-ford", "uniquip-st-andrews", "chmo-instrument-types"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(calls: list[Callable[[], object]]) -> dict[str, float]:
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 95), 2), "n": len(times)}


def measure(name: str, store: Store, reference: Store, iris: list[str], reads: int) -> dict[str, object]:
    for source in store.sources():
        store.remove_source(source)
    store.collect_garbage()
    start = time.perf_counter()
    copied = copy_store(reference, store)
    seconds = time.perf_counter() - start
    triples = sum(c.triples for c in copied)
    result: dict[str, object] = {
        "store": name,
        "triples": triples,
        "write_s": round(seconds, 2),
        "rows_per_s": round(triples / seconds),
        "describe": timed([lambda iri=iri: store.describe(iri) for iri in iris[:reads]]),
        "incoming": timed([lambda iri=iri: store.incoming(iri, 50) for iri in iris[:reads]]),
        "count_by_type": timed([store.count_by_type for _ in range(max(5, reads // 10))]),
    }
    print(
        f"{name:<10} {triples:>8,} triples  {result['rows_per_s']:>8,} rows/s  "
        + "  ".join(f"{k} p50/p95 {v['p50_ms']}/{v['p95_ms']} ms" for k, v in result.items() if isinstance(v, dict)),
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", nargs="+", default=DEFAULT_SOURCES, help="Sample folders to load.")
    parser.add_argument("--reads", type=int, default=200, help="Resources read per read operation.")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()

    reference = open_store(None)
    for name in args.sources:
        (source_plan,) = plan([REPO / "sample" / name])
        ingest_source(reference, source_plan, None)
    subjects = sorted({q.subject.value for q in reference.quads() if "/id/" in q.subject.value})
    iris = random.Random(6).sample(subjects, min(args.reads, len(subjects)))

    results = []
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        embedded = open_store(Path(tmp) / "store")
        results.append(measure("oxigraph", embedded, reference, iris, args.reads))
        embedded.close()
        server = stack.enter_context(arcadedb_server(Path(tmp) / "arcadedb"))
        bolt = open_neo4j_store(server.uri, server.user, server.password, server.database)
        results.append(measure("arcadedb", bolt, reference, iris, args.reads))
        bolt.close()
        if os.environ.get("SHAREKG_NEO4J_URI"):
            neo4j = open_neo4j_store(
                os.environ["SHAREKG_NEO4J_URI"],
                os.environ.get("SHAREKG_NEO4J_USER", "neo4j"),
                os.environ.get("SHAREKG_NEO4J_PASSWORD", ""),
                os.environ.get("SHAREKG_NEO4J_DATABASE", "neo4j"),
            )
            results.append(measure("neo4j", neo4j, reference, iris, args.reads))
            neo4j.close()

    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "sources": args.sources,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "neo4j.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(f"machine: {machine}")


if __name__ == "__main__":
    main()
