"""Calibrate the fit (graph/search/fit.py) on the development judgements, measure its floor, and report how well it
is calibrated.

For every development set (English and Chinese), the full matcher ranks every query through the product
(``api.evaluate.run_ranking_task``: the corpus ingested by sharekg's readers, indexed, matched); the top
``CALIBRATION_DEPTH`` results of each query are kept with their evidence (similarity, BM25) and whether the
judgements call them relevant. The fit is a logistic function of the evidence the matcher ranks by,
``fit = sigmoid(BIAS + SCALE * (similarity + LEXICAL * lexical))`` (Platt scaling): ``BIAS`` and ``SCALE`` are fitted
by maximum likelihood (Newton's method, a small L2 penalty) on all of them pooled, each set weighted equally, and
the script prints them for graph/search/fit.py. ``LEXICAL``, how much shared terms count against similarity, is a
ranking decision and is left alone: fitted on results the ranking itself chose, it comes out negative (the results
BM25 lifted into a top ten are there because of it; ``benchmarks/results/eval.md``), so the script reports that
unconstrained fit only for reference. Per set, it prints the expected calibration error of the fits the matcher gave
in this run (with the constants in fit.py now) and of the refitted model, in-sample and leave-one-set-out (fitted
on the other sets only: how it does on a set it never saw).

**The floor.** Every development need has something relevant to find, so the calibration says nothing of needs for
which the catalogue holds nothing. Those are measured apart: every need of each set, English and Chinese, is asked
of the *other* task's catalogue (a chemistry method of the machine-learning datasets, a machine-learning idea of the
instrument types), where none of it is relevant, and the best evidence among its first ``GATE_DEPTH`` results is
kept, read on the need as written (pseudo-relevance feedback lifts a need's nearest documents whether or not
anything fits, so what it adds is left out: ``MatchResult.floor_evidence``). ``FLOOR_EVIDENCE`` is the
``FLOOR_QUANTILE`` quantile of those: 95 % of needs with nothing to find get nothing presented as a match. The
script prints it, how many of the development needs, which have something to find, have their type presented at
it, how many of the relevant results in their top ten are presented, and what each band holds.

    python benchmarks/calibrate.py [--shared ../shared] [--out benchmarks/results]

Writes calibration.json and calibration.png (reliability diagrams) under --out; calibration.md says what they mean.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.evaluate import CALIBRATION_DEPTH, TASKS, Judged, calibration, eval_index, run_ranking_task
from graph.search import EmbeddingCache, Filters, Matcher, SearchIndex, SentenceTransformerEmbedder, Weights
from graph.search.fit import (
    BIAS,
    FLOOR_EVIDENCE,
    GATE_DEPTH,
    LEXICAL,
    SCALE,
    band_of,
    evidence_of,
    lexical_of,
)

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
FLOOR_QUANTILE = 0.95  # of the best evidence of needs with nothing to find: the share of them given no match


def evidence(judged: list[Judged]) -> np.ndarray:
    """Per result: its similarity and its lexical evidence."""
    return np.array(
        [[j.similarity, float(lexical_of(np.array([j.bm25]), j.words, feedback=j.feedback)[0])] for j in judged]
    )


def of_need(judged: list[Judged]) -> np.ndarray:
    """Per result: what the need says of it (fit.py's ``evidence_of``), what the floor reads."""
    return np.array(
        [evidence_of(np.array([j.similarity]), np.array([j.bm25]), j.words, feedback=j.feedback)[0] for j in judged]
    )


def features(judged: list[Judged], ranking: bool = True) -> np.ndarray:
    """The evidence the fit is a function of (one column: what the matcher ranks by, the need's evidence and the
    result's centrality); ``ranking=False``: the need's two parts as they are."""
    if not ranking:
        return evidence(judged)
    return (of_need(judged) + np.array([j.centrality for j in judged]))[:, None]


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
    return [dataclasses.replace(j, fit=float(f)) for j, f in zip(judged, fits, strict=True)]


def pooled(runs: dict[str, list[Judged]], names: list[str], ranking: bool = True) -> np.ndarray:
    """(bias, scale) of the evidence; ``ranking=False``: (bias, similarity, lexical), unconstrained."""
    x = np.vstack([features(runs[n], ranking) for n in names])
    y = np.concatenate([[float(j.relevant) for j in runs[n]] for n in names])
    weights = np.concatenate([np.full(len(runs[n]), 1.0 / len(runs[n])) for n in names]) * len(y) / len(names)
    return fit_logistic(x, y, weights)


def best_evidence_of_unrelated(
    name: str, queries: Path, index: SearchIndex, embedder: SentenceTransformerEmbedder
) -> list[float]:
    """Per need of the set ``name``: the best evidence of the need as written (what the floor gates a type by) among
    the first ``GATE_DEPTH`` results it gets from ``index``, a catalogue of the other task's, where nothing is
    relevant to it."""
    task = TASKS[SETS[name][0]]
    (doc_type,) = {d.type for d in index.docs}
    matcher = Matcher(index, embedder, Weights(floor=0.0, diverse=False))
    best = []
    for query in task.load(queries).queries.values():
        text = task.text_of(query).strip()
        found = matcher.match(text, Filters(types=(doc_type,)), k=GATE_DEPTH).results[doc_type] if text else []
        if found:
            best.append(max(r.floor_evidence for r in found))
    return best


def bands(judged: list[Judged]) -> dict[str, dict[str, float]]:
    """Per band (the fits of this run): how many of the results are in it and the share of them judged relevant."""
    out = {}
    for band in ("strong", "good", "weak"):
        inside = [j for j in judged if band_of(j.fit) == band]
        out[band] = {
            "results": len(inside),
            "relevant": round(float(np.mean([j.relevant for j in inside])), 4) if inside else 0.0,
        }
    return out


def gates(judged: list[Judged]) -> dict[str, float]:
    """Per need: the best evidence of the need as written among its first ``GATE_DEPTH`` results (the judged results
    are each need's first ``CALIBRATION_DEPTH``, in order)."""
    best: dict[str, list[float]] = {}
    for j in judged:
        best.setdefault(j.query_id, []).append(j.floor_evidence)
    return {q: max(v[:GATE_DEPTH]) for q, v in best.items()}


def floor_report(unrelated: dict[str, list[float]], runs: dict[str, list[Judged]]) -> dict[str, object]:
    """The floor measured on needs with nothing to find, and what it keeps of the development needs' results: the
    needs whose type is presented, and the relevant results presented (the type presented, the result's evidence at
    or above the floor)."""
    pooled_best = np.concatenate([np.array(v) for v in unrelated.values()])
    floor = float(np.quantile(pooled_best, FLOOR_QUANTILE))
    kept: dict[str, dict[str, float]] = {}
    for name, judged in runs.items():
        gate = gates(judged)
        shown = [gate[j.query_id] >= floor and e >= floor for j, e in zip(judged, of_need(judged), strict=True)]
        relevant = [s for j, s in zip(judged, shown, strict=True) if j.relevant]
        kept[name] = {
            "needs_presented": round(float(np.mean([g >= floor for g in gate.values()])), 4),
            "relevant_results_presented": round(float(np.mean(relevant)), 4) if relevant else 0.0,
        }
    return {
        "quantile": FLOOR_QUANTILE,
        "FLOOR_EVIDENCE": round(floor, 3),
        "unrelated_needs": {
            n: {
                "needs": len(v),
                "median_best": round(float(np.median(v)), 3),
                "presented_at_this_floor": round(float(np.mean(np.array(v) >= floor)), 4),
                "presented_at_fit_py_floor": round(float(np.mean(np.array(v) >= FLOOR_EVIDENCE)), 4),
            }
            for n, v in unrelated.items()
        },
        "development_needs": kept,
    }


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
    indexes = {  # one catalogue per task, shared by its sets and by the other task's needs
        task: eval_index(TASKS[task], [args.shared / corpus], embedder, cache, repo / mapping if mapping else None)
        for task, _queries, corpus, mapping in SETS.values()
    }
    runs: dict[str, list[Judged]] = {}
    ndcg: dict[str, dict[str, float]] = {}
    unrelated: dict[str, list[float]] = {}
    for name, (task, queries, corpus, mapping) in SETS.items():
        run = run_ranking_task(
            TASKS[task],
            args.shared / queries,
            [args.shared / corpus],
            embedder,
            cache,
            repo / mapping if mapping else None,
            index=indexes[task],
        )
        runs[name] = run.judged
        ndcg[name] = {m: round(s.ndcg_at_10, 4) for m, s in run.scores.items()}
        print(name, ndcg[name], flush=True)
        (other,) = set(indexes) - {task}
        unrelated[f"{name} needs, {other} catalogue"] = best_evidence_of_unrelated(
            name, args.shared / queries, indexes[other], embedder
        )
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
            "bands": bands(runs[name]),
        }
    result = {
        "depth": CALIBRATION_DEPTH,
        "constants_used": {"BIAS": BIAS, "SCALE": SCALE, "LEXICAL": LEXICAL, "FLOOR_EVIDENCE": FLOOR_EVIDENCE},
        "fitted": {"BIAS": round(float(w[0]), 3), "SCALE": round(float(w[1]), 3)},
        "floor": floor_report(unrelated, runs),
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
    for n, r in report.items():
        print(n, "bands (results, share relevant):", json.dumps(r["bands"]))
    print("fitted:", result["fitted"])
    print("floor:", json.dumps(result["floor"], indent=2))
    print("unconstrained, for reference only:", result["unconstrained_for_reference"])


if __name__ == "__main__":
    main()
