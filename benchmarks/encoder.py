"""Encoder benchmark: a need through torch and through ONNX Runtime (``graph/search/onnx_encoder.py``), one thread each.

Usage: python benchmarks/encoder.py [--needs 200] [--models-dir DIR] [--out benchmarks/results]

Needs are the load benchmark's real texts of the bundled sample (award and dataset-paper titles). Measured, with the
same model object: the export (only when ``--models-dir`` holds none yet) and the ONNX Runtime start with its check
against torch; one need at a time (p50 / p95 / mean over ``--needs`` calls, as a lone request encodes it); batches of
8 (as the service's encoder thread batches concurrent needs; ms per need); batches of 64 longer texts (six titles
joined, as building the index encodes resources: texts a second); and the lowest and mean cosine between the two
runtimes' vectors. Writes ``encoder.md`` and ``encoder.json``. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.load import need_texts  # noqa: E402
from graph.search import SentenceTransformerEmbedder  # noqa: E402

Info = dict[str, object]


def timed(run: Callable[[Sequence[str]], object], groups: list[list[str]]) -> list[float]:
    run(groups[0])  # warm-up
    laps = []
    for group in groups:
        started = time.perf_counter()
        run(group)
        laps.append((time.perf_counter() - started) * 1000)
    return laps


def summary(laps: list[float], per: int = 1) -> Info:
    ordered = sorted(laps)
    return {
        "p50_ms": round(statistics.median(ordered) / per, 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] / per, 2),
        "mean_ms": round(statistics.mean(ordered) / per, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=200)
    parser.add_argument("--models-dir", type=Path, help="where the export is kept (default: a temporary folder)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    needs = need_texts(max(args.needs, 64 * 6))[: args.needs]
    long_texts = [" ".join(needs[i : i + 6]) for i in range(0, len(needs), 2)][:128]
    torch_run = SentenceTransformerEmbedder.load(device="cpu", threads=1)
    onnx_run = SentenceTransformerEmbedder(torch_run._model, torch_run.name)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.models_dir or Path(scratch)
        exported = any(folder.glob("*.onnx"))
        started = time.perf_counter()
        onnx_run.use_onnx(folder, threads=1)
        start_s = time.perf_counter() - started
        result: Info = {
            "onnx_start_s": round(start_s, 1),
            "onnx_start_includes_export": not exported,
            "needs": len(needs),
        }
        a = np.vstack([torch_run._torch_forward_batch([n])[0][0] for n in needs])
        b = np.vstack([onnx_run._forward_batch([n])[0][0] for n in needs])
        cos = (a * b).sum(axis=1)
        result["cosine_min"], result["cosine_mean"] = float(cos.min()), float(cos.mean())
        singles = [[n] for n in needs]
        eights = [needs[i : i + 8] for i in range(0, len(needs) - 7, 8)]
        bulk = [long_texts[i : i + 64] for i in range(0, len(long_texts) - 63, 64)]
        for name, run in (("torch", torch_run._torch_forward_batch), ("onnx", onnx_run._forward_batch)):
            result[f"{name}_one_need"] = summary(timed(run, singles))
            result[f"{name}_batch_of_8_per_need"] = summary(timed(run, eights), per=8)
            seconds = sum(timed(run, bulk)) / 1000
            result[f"{name}_batch_of_64_texts_per_s"] = round(64 * len(bulk) / seconds, 1)
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_after": os.getloadavg(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "encoder.json").write_text(json.dumps({"meta": meta, "result": result}, indent=2) + "\n")
    rows = [
        "# Encoder: a need through torch and through ONNX Runtime",
        "",
        f"`python benchmarks/encoder.py` on {meta['machine']}, {meta['date']}; one thread each, the same model "
        f"(all-MiniLM-L6-v2); {len(needs)} real need texts of the sample. Load average after: "
        f"{' '.join(f'{v:.2f}' for v in meta['load_after'])}.",
        "",
        "| runtime | one need p50 / p95 ms | batch of 8: ms a need (p50) | batch of 64 long texts: texts/s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in ("torch", "onnx"):
        one, eight = result[f"{name}_one_need"], result[f"{name}_batch_of_8_per_need"]
        assert isinstance(one, dict) and isinstance(eight, dict)
        rows.append(
            f"| {name} | {one['p50_ms']} / {one['p95_ms']} | {eight['p50_ms']} | "
            f"{result[f'{name}_batch_of_64_texts_per_s']} |"
        )
    rows += [
        "",
        f"Vectors: cosine between the runtimes, lowest {result['cosine_min']:.8f}, mean {result['cosine_mean']:.8f}. "
        f"ONNX Runtime start: {result['onnx_start_s']} s"
        + (" (the one-off export included)." if result["onnx_start_includes_export"] else " (export already there)."),
        "",
    ]
    (args.out / "encoder.md").write_text("\n".join(rows))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
