"""Bootstrap intervals: what a development set can tell apart (graph.evaluation.uncertainty), the per-unit parts of
the scores they resample, and the calibration error's interval over queries."""

from __future__ import annotations

import numpy as np
import pytest

from api.evaluate import Judged, calibration, ece_interval, uncertainty
from graph.evaluation import interval, paired_difference, paired_ratio_difference, ratio_interval, statistic_interval
from graph.evaluation.metrics import loss_of_terms, pairwise_loss, pairwise_terms, score_run


def test_an_interval_holds_the_mean_narrows_with_more_units_and_is_the_same_on_every_run() -> None:
    rng = np.random.default_rng(7)
    few, many = rng.random(20).tolist(), rng.random(2000).tolist()
    low, high = interval(few)
    assert low < float(np.mean(few)) < high
    wide, narrow = high - low, np.subtract(*interval(many)[::-1])
    assert narrow < wide / 5  # about sqrt(100) = 10 times narrower
    assert interval(few) == (low, high)  # seeded: a report does not change between runs
    assert interval(few, seed=1) != (low, high)
    with pytest.raises(ValueError, match="no units"):
        interval([])


def test_a_paired_difference_cancels_what_the_queries_share() -> None:
    rng = np.random.default_rng(3)
    hardness = rng.random(60)  # each query's own difficulty, the same for both methods
    better, worse = hardness + 0.05, hardness
    mean, low, high = paired_difference(better.tolist(), worse.tolist())
    assert mean == pytest.approx(0.05) and low == pytest.approx(0.05) and high == pytest.approx(0.05)
    unpaired = np.subtract(*interval(better.tolist())[::-1])  # the spread of one method's mean alone
    assert unpaired > 0.1
    noisy_mean, noisy_low, noisy_high = paired_difference((better + rng.normal(0, 0.05, 60)).tolist(), worse.tolist())
    assert noisy_low < noisy_mean < noisy_high and noisy_high - noisy_low < unpaired
    with pytest.raises(ValueError, match="same queries"):
        paired_difference([0.1, 0.2], [0.1])


def test_a_ratio_resamples_units_whole() -> None:
    assert ratio_interval([1.0, 1.0, 1.0], [4.0, 4.0, 4.0]) == (0.25, 0.25)
    low, high = ratio_interval([0.0, 3.0], [2.0, 4.0])  # one researcher always right, one mostly wrong
    assert low == 0.0 and high == 0.75 and low < 3 / 6 < high
    assert ratio_interval([1.0, 0.0], [2.0, 0.0]) == (0.5, 0.5)  # resamples of the second alone are left out
    with pytest.raises(ValueError, match="zero denominator"):
        ratio_interval([0.0], [0.0])
    with pytest.raises(ValueError, match="numerators"):
        ratio_interval([1.0], [1.0, 2.0])


def test_a_paired_ratio_difference_resamples_the_same_units_for_both_ratios() -> None:
    # the same units both times, every one's share raised alike: each resample's difference is the same
    assert paired_ratio_difference(([2.0, 2.0], [4.0, 4.0]), ([1.0, 1.0], [4.0, 4.0])) == (0.25, 0.25)
    # one unit changed, one not: resamples of the unchanged one alone differ by 0, of the changed one alone by 0.5
    low, high = paired_ratio_difference(([1.0, 2.0], [4.0, 4.0]), ([1.0, 0.0], [4.0, 4.0]))
    assert low == 0.0 and high == 0.5
    # a resample where either side's denominators sum to 0 is left out
    assert paired_ratio_difference(([1.0, 0.0], [2.0, 0.0]), ([0.0, 0.0], [2.0, 1.0])) == (0.5, 0.5)
    with pytest.raises(ValueError, match="same units"):
        paired_ratio_difference(([1.0], [1.0]), ([1.0, 1.0], [1.0, 1.0]))
    with pytest.raises(ValueError, match="zero denominator"):
        paired_ratio_difference(([0.0], [0.0]), ([0.0], [1.0]))


def test_a_statistic_is_computed_on_each_resample() -> None:
    values = np.array([1.0, 2.0, 3.0, 10.0])
    low, high = statistic_interval(len(values), lambda picks: float(np.median(values[picks])))
    assert 1.0 <= low <= 2.5 <= high <= 10.0


def test_the_scores_keep_each_querys_ndcg_in_judgement_order() -> None:
    qrels = {"q1": {"a": 1.0}, "q2": {"m": 1.0}, "q3": {"b": 1.0}}
    scores = score_run({"q1": ["a"], "q2": ["m"], "q3": ["x", "b"]}, qrels, {"a", "b", "x"})
    assert scores.ndcg_per_query == pytest.approx((1.0, 0.0, 1 / np.log2(3)))
    assert scores.ndcg_at_10 == pytest.approx(float(np.mean(scores.ndcg_per_query)))
    assert "ndcg_per_query" not in scores.as_dict()


def test_uncertainty_compares_the_fused_ranking_with_its_best_channel() -> None:
    qrels = {f"q{i}": {"a": 1.0} for i in range(6)}
    runs = {
        "bm25": {q: ["x", "y", "a"] for q in qrels},
        "cosine": {q: ["x", "a"] for q in qrels},
        "sharekg": {q: ["a"] for q in qrels},
    }
    spread = uncertainty({m: score_run(run, qrels, {"a", "x", "y"}) for m, run in runs.items()})
    assert spread.best_channel == "cosine"
    assert spread.over_best_channel == pytest.approx((1 - 1 / np.log2(3),) * 3)
    assert spread.intervals["sharekg"] == (1.0, 1.0)
    assert spread.as_dict()["sharekg_over_best_channel"]["channel"] == "cosine"  # type: ignore[index]


def test_the_pairwise_terms_sum_to_the_loss() -> None:
    ratings = {("r1", "p1"): 5.0, ("r1", "p2"): 3.0, ("r1", "p3"): 1.0, ("r2", "p1"): 2.0, ("r2", "p2"): 4.0}
    predicted = {("r1", "p1"): 0.9, ("r1", "p2"): 0.1, ("r1", "p3"): 0.5, ("r2", "p1"): 0.3, ("r2", "p2"): 0.3}
    terms = pairwise_terms(predicted, ratings)
    assert terms == {"r1": (2.0, 8.0), "r2": (1.0, 2.0)}
    assert loss_of_terms(terms) == pytest.approx(pairwise_loss(predicted, ratings)) == pytest.approx(3 / 10)


def _judged(fits_and_relevance: list[tuple[float, bool]], query: str) -> list[Judged]:
    return [Judged(0.5, 0.0, 5, fit, relevant, query) for fit, relevant in fits_and_relevance]


def test_the_calibration_errors_interval_resamples_queries_and_bins_as_calibration_does() -> None:
    one_query = [(0.05, False), (0.15, True), (0.3, False), (0.7, True), (1.0, True)]  # edges of bins included
    same = [j for q in range(8) for j in _judged(one_query, f"q{q}")]
    ece = float(calibration(same)["ece"])  # type: ignore[arg-type]
    assert ece_interval(same) == pytest.approx((ece, ece))  # every resample is the same results
    varied = same + _judged([(0.05, True), (0.05, True)], "odd one") + _judged([(0.95, False)], "odd two")
    low, high = ece_interval(varied)
    assert low < high and low <= float(calibration(varied)["ece"]) <= high  # type: ignore[arg-type]
