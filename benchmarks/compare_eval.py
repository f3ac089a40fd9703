"""Two runs of ``sharekg eval`` on one development set, before and after a change, compared paired.

Each run's JSON (``sharekg eval ... --json FILE``) keeps every query's nDCG@10 per method (the reviewer set: every
researcher's share of the loss); this pairs the two runs by query (or researcher) and prints, per method, the score
before and after and the change with its 90 % bootstrap interval over the units both runs scored, the same resample
for both sides (``graph.evaluation.uncertainty``). A change whose interval spans 0 is one the set cannot tell from
none; a small change can still be resolved where it moves most queries the same way.

    python benchmarks/compare_eval.py BEFORE.json AFTER.json [BEFORE.json AFTER.json ...]

Prints one Markdown table per pair.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.evaluation import LEVEL, loss_of_terms, paired_difference, paired_ratio_difference

Row = tuple[str, float, float, tuple[float, float, float]]  # method, before, after, (change, low, high)


def _load(path: Path) -> dict[str, Any]:
    run: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if "per_query" not in run and "per_researcher" not in run:
        raise SystemExit(f"{path}: no per-query scores; rerun `sharekg eval ... --json` with this sharekg")
    return run


def compare_ranking(before: dict[str, Any], after: dict[str, Any]) -> list[Row]:
    """Per method both runs have: nDCG@10 before and after over the queries both scored, and the paired change
    (mean, low, high)."""
    ids_before, ids_after = before["per_query"]["query_ids"], after["per_query"]["query_ids"]
    at_before = {q: i for i, q in enumerate(ids_before)}
    at_after = {q: i for i, q in enumerate(ids_after)}
    shared = [q for q in ids_after if q in at_before]
    if not shared:
        raise SystemExit("the two runs share no query: compare runs of one set (or of its two languages)")
    rows: list[Row] = []
    for method, values in after["per_query"]["ndcg_at_10"].items():
        if method not in before["per_query"]["ndcg_at_10"]:
            continue
        old = [before["per_query"]["ndcg_at_10"][method][at_before[q]] for q in shared]
        new = [values[at_after[q]] for q in shared]
        rows.append((method, float(np.mean(old)), float(np.mean(new)), paired_difference(new, old)))
    return rows


def compare_reviewer(before: dict[str, Any], after: dict[str, Any]) -> list[Row]:
    """Per method both runs have: the pairwise loss before and after over the researchers both scored, and the
    change with its interval over researchers (each resample's loss after less its loss before)."""
    rows: list[Row] = []
    for method, terms in after["per_researcher"].items():
        if method not in before["per_researcher"]:
            continue
        old_terms = before["per_researcher"][method]
        researchers = [r for r in terms if r in old_terms]
        if not researchers:
            raise SystemExit("the two runs share no researcher: compare runs of one reviewer set")
        old = [old_terms[r] for r in researchers]
        new = [terms[r] for r in researchers]
        loss_old = loss_of_terms(dict(zip(researchers, old, strict=True)))
        loss_new = loss_of_terms(dict(zip(researchers, new, strict=True)))
        low, high = paired_ratio_difference(
            ([loss for loss, _ in new], [most for _, most in new]),
            ([loss for loss, _ in old], [most for _, most in old]),
        )
        rows.append((method, loss_old, loss_new, (loss_new - loss_old, low, high)))
    return rows


def table(before: Path, after: Path) -> str:
    old, new = _load(before), _load(after)
    reviewer = "per_researcher" in new
    if reviewer != ("per_researcher" in old):
        raise SystemExit(f"{before} and {after} are not runs of one kind of set (a ranking set and the reviewer set)")
    rows = compare_reviewer(old, new) if reviewer else compare_ranking(old, new)
    metric = "pairwise loss (lower is better)" if reviewer else "nDCG@10"
    lines = [
        f"{before} → {after} ({metric}; change with its {LEVEL:.0%} interval, paired)",
        "",
        "| method | before | after | change |",
        "| --- | ---: | ---: | ---: |",
    ]
    for method, score_before, score_after, (mean, low, high) in rows:
        change = f"{_signed(mean)} ({_signed(low)} to {_signed(high)})"
        lines.append(f"| {method} | {score_before:.4f} | {score_after:.4f} | {change} |")
    return "\n".join(lines)


def _signed(x: float) -> str:
    """``x`` to 4 places with its sign, a value that rounds to 0 as +0.0000 whatever its sign."""
    return f"{round(x, 4) + 0.0:+.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="BEFORE.json AFTER.json, one pair per set")
    args = parser.parse_args()
    if len(args.runs) % 2:
        parser.error("give the runs in pairs: BEFORE.json AFTER.json")
    print("\n\n".join(table(args.runs[i], args.runs[i + 1]) for i in range(0, len(args.runs), 2)))


if __name__ == "__main__":
    main()
