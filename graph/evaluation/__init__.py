"""Measuring matching: the metrics and loaders of the shared relevance judgements, and the model's
self-supervised adaptation to the corpus."""

from graph.evaluation.adaptation import AdaptationSettings, adapt, corpus_pairs
from graph.evaluation.metrics import (
    EvalSet,
    Paper,
    Query,
    Scores,
    evaluate,
    evaluate_reviewer,
    format_table,
    load_chmo,
    load_datafinder,
    load_reviewer,
    load_reviewer_profiles,
    obo_curie,
)

__all__ = [
    "AdaptationSettings",
    "EvalSet",
    "Paper",
    "Query",
    "Scores",
    "adapt",
    "corpus_pairs",
    "evaluate",
    "evaluate_reviewer",
    "format_table",
    "load_chmo",
    "load_datafinder",
    "load_reviewer",
    "load_reviewer_profiles",
    "obo_curie",
]
