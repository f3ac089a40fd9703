"""Ingest benchmark: sharekg's pipeline against pyoxigraph's raw bulk load and an rdflib in-memory build.

Usage: python benchmarks/ingest.py [--rows N] [--out benchmarks/results]

Measures, each case in its own process so peak memory (max RSS) is its own:
1. ``sample``: ``sharekg ingest --sample`` equivalent (every bundled source, validation on, no embeddings);
2. ``generated``: one generated Uniquip CSV of about 1,000,000 triples (real St Andrews rows repeated with new
   ids, departments and institutions, so organisations and text vary as in a real register);
3. references on exactly the triples case 2 stored, dumped as N-Triples: pyoxigraph ``bulk_load`` in memory and
   on disk (the floor), and ``rdflib.Graph().parse`` into memory (what a user would write by hand).
Prints a table and writes ``ingest.json`` and ``ingest.md`` to the output folder. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate_uniquip(rows: int, out: Path) -> None:
    source = REPO / "sample" / "uniquip-st-andrews" / "equipment.csv"
    with source.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        real = list(reader)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        for i in range(rows):
            row = dict(real[i % len(real)])
            row["ID"] = f"gen-{i:07d}"
            row["Department"] = f"{row['Department']} {i % 97}"
            row["Institution Name"] = f"{row['Institution Name']} campus {i % 13}"
            row["Description"] = f"{row['Description']} unit {i}"
            writer.writerow(row)


def case_pipeline(paths: list[str], store_dir: str) -> dict[str, object]:
    from graph.store import open_store
    from ingest.pipeline import ingest_source, plan

    store = open_store(Path(store_dir))
    started = time.perf_counter()
    reports = [ingest_source(store, p, None) for p in plan([Path(p) for p in paths])]
    seconds = time.perf_counter() - started
    store.close()
    records = sum(r.loaded for r in reports)
    triples = sum(r.triples for r in reports)
    return {
        "seconds": round(seconds, 2),
        "records": records,
        "triples": triples,
        "records_per_s": round(records / seconds),
        "triples_per_s": round(triples / seconds),
        "rejected": sum(r.rejected for r in reports),
        "peak_mb": round(peak_mb()),
    }


def case_dump(store_dir: str, out: str) -> dict[str, object]:
    import pyoxigraph as ox

    store = ox.Store.read_only(store_dir)
    graphs = [g for g in store.named_graphs() if "/graph/catalogue" not in g.value]
    with open(out, "wb") as f:
        for g in graphs:
            store.dump(f, ox.RdfFormat.N_TRIPLES, from_graph=g)
    return {}


def case_oxigraph(nt: str, on_disk: bool) -> dict[str, object]:
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory() as d:
        store = ox.Store(d) if on_disk else ox.Store()
        started = time.perf_counter()
        store.bulk_load(path=nt, format=ox.RdfFormat.N_TRIPLES)
        if on_disk:
            store.flush()
        seconds = time.perf_counter() - started
        triples = len(store)
    return {
        "seconds": round(seconds, 2),
        "triples": triples,
        "triples_per_s": round(triples / seconds),
        "peak_mb": round(peak_mb()),
    }


def case_rdflib(nt: str) -> dict[str, object]:
    import rdflib

    started = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(nt, format="nt")
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "triples": len(graph),
        "triples_per_s": round(len(graph) / seconds),
        "peak_mb": round(peak_mb()),
    }


def run_case(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--case", *args], check=True, capture_output=True, text=True, cwd=REPO
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=104_000, help="generated Uniquip rows (104,000 ≈ 1M triples)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--case", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        name, *rest = args.case
        result = {
            "pipeline": lambda: case_pipeline(rest[1:], rest[0]),
            "dump": lambda: case_dump(rest[0], rest[1]),
            "oxigraph-memory": lambda: case_oxigraph(rest[0], on_disk=False),
            "oxigraph-disk": lambda: case_oxigraph(rest[0], on_disk=True),
            "rdflib": lambda: case_rdflib(rest[0]),
        }[name]()
        print(json.dumps(result))
        return
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        sample = sorted(str(p) for p in (REPO / "sample").iterdir() if p.is_dir())
        results["sharekg ingest: bundled sample"] = run_case("pipeline", f"{tmp}/sample-store", *sample)
        generated = Path(tmp) / "generated.csv"
        generate_uniquip(args.rows, generated)
        results["sharekg ingest: generated"] = run_case("pipeline", f"{tmp}/gen-store", str(generated))
        run_case("dump", f"{tmp}/gen-store", f"{tmp}/generated.nt")
        results["pyoxigraph bulk_load, in memory"] = run_case("oxigraph-memory", f"{tmp}/generated.nt")
        results["pyoxigraph bulk_load, on disk"] = run_case("oxigraph-disk", f"{tmp}/generated.nt")
        results["rdflib Graph.parse, in memory"] = run_case("rdflib", f"{tmp}/generated.nt")
    report(results, args)


def report(results: dict[str, dict[str, object]], args: argparse.Namespace) -> None:
    columns = ["seconds", "records", "triples", "records_per_s", "triples_per_s", "peak_mb"]
    lines = ["| case | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, r in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{r[c]:,}" if c in r else "" for c in columns) + " |")
    floor = float(results["pyoxigraph bulk_load, on disk"]["seconds"])  # type: ignore[arg-type]
    ours = float(results["sharekg ingest: generated"]["seconds"])  # type: ignore[arg-type]
    rdflib_s = float(results["rdflib Graph.parse, in memory"]["seconds"])  # type: ignore[arg-type]
    summary = (
        f"sharekg / raw on-disk bulk load: {ours / floor:.2f}x (target within 4x); "
        f"sharekg / rdflib in-memory build: {ours / rdflib_s:.2f}x (target below 1x)"
    )
    machine = f"{platform.machine()}, {platform.python_version()}, {__import__('os').cpu_count()} cores"
    text = "\n".join([f"# Ingest benchmark ({args.rows:,} generated rows; {machine})", "", *lines, "", summary, ""])
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest.md").write_text(text, encoding="utf-8")
    payload = {"machine": machine, "rows": args.rows, "results": results, "summary": summary}
    (args.out / "ingest.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
