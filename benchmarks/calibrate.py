"""Calibrate the fit (graph/search/fit.py) on the development judgements, and report how well it is calibrated.

For every development set (English and Chinese), the full matcher ranks every query through the product
(``api.evaluate.run_ranking_task``: the corpus ingested by sharekg's readers, indexed, matched); the top
``CALIBRATION_DEPTH`` results of each query are kept with their evidence (similarity, BM25) and whether the
judgements call them relevant. The fit is a logistic function of the matcher's ranking score,
``fit = sigmoid(bias + scale * (SIMILARITY * similarity + LEXICAL * lexical))`` with the constants in fit.py now
(Platt scaling): ``bias`` and ``scale`` are fitted by maximum likelihood (Newton's method, a small L2 penalty) on all
of them pooled, each set weighted equally, and the script prints the three numbers to put in graph/search/fit.py
(``BIAS``, and ``SIMILARITY`` and ``LEXICAL`` times ``scale``). Their ratio, how much shared terms count against
similarity, is a ranking decision and is left alone: fitted on results the ranking itself chose, it comes out
negative (the results BM25 lifted into a top ten are there because of it; ``benchmarks/results/eval.md``), so the
script reports that unconstrained fit only for reference. (The refit of 2026-12-02 was measured and not taken: it
flattens the fit, which lowers the floor from a similarity of about 0.46 to 0.35; ``benchmarks/results/eval.md``.)
Per set, it prints the expected calibration error of the fits the matcher gave in this run (with the constants in
fit.py now) and of the refitted model, in-sample and leave-one-set-out
(fitted on the other sets only: how it does on a set it never saw).

    python benchmarks/calibrate.py [--shared ../shared] [--out benchmarks/results]

Writes calibration.json and calibration.png (reliability diagrams) under --out; calibration.md says what they mean.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.evaluate import CALIBRATION_DEPTH, TASKS, Judged, calibration, run_ranking_task
from graph.search import EmbeddingCache, SentenceTransformerEmbedder
from graph.search.fit import BIAS, LEXICAL, SIMILARITY, lexical_evidence

SETS = {  # name: (task, queries, corpus, mapping), paths under --shared (the mapping under the repository)
    "chmo": (
        "chmo",
        "eval/chmo-dev/method_to_instrument_type.jsonl",
        "data/chmo-instruments-methods/instrument_types.csv",
        "mappings/chmo-instrument-types.toml",
    ),
    "chmo-zh": (
        "chmo",
        "eval/chmo-dev-zh/method_to_instrument_type.jsonl",
        "data/chmo-instruments-methods/instrument_types.csv",
        "mappings/chmo-instrument-types.toml",
    ),
    "datafinder": ("datafinder", "eval/datafinder-dev/queries.jsonl", "data/datafinder-datasets/datasets.jsonl", None),
    "datafinder-zh": (
        "datafinder",
        "eval/datafinder-dev-zh/queries.jsonl",
        "data/datafinder-datasets/datasets.jsonl",
        None,
    ),
}
L2 = 1e-2


def evidence(judged: list[Judged]) -> np.ndarray:
    """Per result: its similarity and its lexical evidence."""
    return np.array([[j.similarity, float(lexical_evidence(np.array([j.bm25]), j.words)[0])] for j in judged])


def features(judged: list[Judged], ranking: bool = True) -> np.ndarray:
    """The ranking score (one column) the fit is a function of; ``ranking=False``: the evidence as it is."""
    x = evidence(judged)
    return x @ np.array([[SIMILARITY], [LEXICAL]]) if ranking else x


def fit_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(bias, a, b) maximising the weighted log-likelihood, by Newton's method."""
    design = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(design.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        gradient = design.T @ (weights * (p - y)) + L2 * w
        hessian = (design.T * (weights * p * (1 - p))) @ design + L2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def refit(judged: list[Judged], w: np.ndarray) -> list[Judged]:
    x = features(judged, ranking=len(w) == 2)
    fits = 1.0 / (1.0 + np.exp(-(w[0] + x @ w[1:])))
    return [Judged(j.similarity, j.bm25, j.words, float(f), j.relevant) for j, f in zip(judged, fits, strict=True)]


def pooled(runs: dict[str, list[Judged]], names: list[str], ranking: bool = True) -> np.ndarray:
    """(bias, scale) of the ranking score; ``ranking=False``: (bias, similarity, lexical), unconstrained."""
    x = np.vstack([features(runs[n], ranking) for n in names])
    y = np.concatenate([[float(j.relevant) for j in runs[n]] for n in names])
    weights = np.concatenate([np.full(len(runs[n]), 1.0 / len(runs[n])) for n in names]) * len(y) / len(names)
    return fit_logistic(x, y, weights)


def diagram(report: dict[str, dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(report), figsize=(4 * len(report), 4), squeeze=False)
    for ax, (name, entry) in zip(axes[0], report.items(), strict=True):
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
        for key, label in (("as_run", "fit.py now"), ("refitted", "refitted")):
            bins = entry[key]["bins"]  # type: ignore[index]
            ece = entry[key]["ece"]  # type: ignore[index]
            ax.plot(
                [b["mean_fit"] for b in bins],
                [b["relevant"] for b in bins],
                marker="o",
                label=f"{label}: ECE {ece:.3f}",
            )
        ax.legend(loc="upper left", fontsize="small")
        ax.set_title(name)
        ax.set_xlabel("mean fit in bin")
        ax.set_ylabel("share judged relevant")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--cache", type=Path, default=Path("var/embeddings.sqlite"))
    args = parser.parse_args()
    repo = Path(__file__).resolve().parent.parent
    embedder = SentenceTransformerEmbedder.load(device="cpu")
    cache = EmbeddingCache(args.cache)
    runs: dict[str, list[Judged]] = {}
    ndcg: dict[str, dict[str, float]] = {}
    for name, (task, queries, corpus, mapping) in SETS.items():
        run = run_ranking_task(
            TASKS[task],
            args.shared / queries,
            [args.shared / corpus],
            embedder,
            cache,
            repo / mapping if mapping else None,
        )
        runs[name] = run.judged
        ndcg[name] = {m: round(s.ndcg_at_10, 4) for m, s in run.scores.items()}
        print(name, ndcg[name], flush=True)
    cache.close()
    names = list(runs)
    w = pooled(runs, names)
    unconstrained = pooled(runs, names, ranking=False)
    report: dict[str, dict[str, object]] = {}
    for name in names:
        held_out = pooled(runs, [n for n in names if n != name])
        report[name] = {
            "ndcg_at_10": ndcg[name],
            "base_rate": round(float(np.mean([j.relevant for j in runs[name]])), 4),
            "as_run": calibration(runs[name]),
            "refitted": calibration(refit(runs[name], w)),
            "leave_set_out": calibration(refit(runs[name], held_out)),
        }
    result = {
        "depth": CALIBRATION_DEPTH,
        "constants_used": {"BIAS": BIAS, "SIMILARITY": SIMILARITY, "LEXICAL": LEXICAL},
        "scale": round(float(w[1]), 4),
        "fitted": {
            "BIAS": round(float(w[0]), 3),
            "SIMILARITY": round(SIMILARITY * float(w[1]), 3),
            "LEXICAL": round(LEXICAL * float(w[1]), 3),
        },
        "unconstrained_for_reference": dict(
            zip(("BIAS", "SIMILARITY", "LEXICAL"), (round(float(v), 3) for v in unconstrained), strict=True)
        ),
        "sets": report,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "calibration.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    diagram(report, args.out / "calibration.png")
    lines = [
        "| set | base rate | ECE as run | ECE refitted | ECE leave-set-out |",
        "| --- | ---: | ---: | ---: | ---: |",
        *[
            f"| {n} | {r['base_rate']} | {r['as_run']['ece']} | {r['refitted']['ece']} | {r['leave_set_out']['ece']} |"  # type: ignore[index]
            for n, r in report.items()
        ],
    ]
    print("\n".join(lines))
    print("fitted:", result["fitted"], "(scale", result["scale"], ")")
    print("unconstrained, for reference only:", result["unconstrained_for_reference"])


if __name__ == "__main__":
    main()
