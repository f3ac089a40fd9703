"""Measuring matching: the metrics and loaders of the shared relevance judgements, how much a set can tell apart
(bootstrap intervals), and the model's self-supervised adaptation to the corpus."""

from graph.evaluation.adaptation import AdaptationSettings, adapt, corpus_pairs
from graph.evaluation.metrics import (
    EvalSet,
    Paper,
    Query,
    Scores,
    evaluate,
    evaluate_reviewer,
    evaluate_reviewer_terms,
    format_table,
    load_chmo,
    load_datafinder,
    load_reviewer,
    load_reviewer_profiles,
    loss_of_terms,
    obo_curie,
)
from graph.evaluation.uncertainty import (
    LEVEL,
    RESAMPLES,
    interval,
    paired_difference,
    paired_ratio_difference,
    ratio_interval,
    statistic_interval,
)

__all__ = [
    "LEVEL",
    "RESAMPLES",
    "AdaptationSettings",
    "EvalSet",
    "Paper",
    "Query",
    "Scores",
    "adapt",
    "corpus_pairs",
    "evaluate",
    "evaluate_reviewer",
    "evaluate_reviewer_terms",
    "format_table",
    "interval",
    "load_chmo",
    "load_datafinder",
    "load_reviewer",
    "load_reviewer_profiles",
    "loss_of_terms",
    "obo_curie",
    "paired_difference",
    "paired_ratio_difference",
    "ratio_interval",
    "statistic_interval",
]
