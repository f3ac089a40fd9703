"""Measure matching against the shared relevance judgements (``shared/eval``).

Three development sets, each read by path (nothing here reads them by itself):

- DataFinder: a research idea (a full sentence, and a keyphrase form) → datasets, binary relevance;
  ids are compared after ``"_".join(id.split())``;
- CHMO: an experimental method (label, and its definition) → instrument types, graded relevance
  (2 direct, 1 inherited), ids are CURIEs such as ``CHMO:0000953``;
- reviewer: how expert each researcher says they are (1 to 5) on papers they rated, scored by the
  pairwise loss of Stelmakh et al. (2023).

Metrics follow ``shared/eval/README.md``: for a ranked list L (cut at k) and the relevant items R of a
query that are among the candidates (grade > 0; binary metrics ignore the grade)

- P@k = |L[:k] ∩ R| / k and R@k = |L[:k] ∩ R| / |R|;
- AP = (1/|R|) Σ over ranks i with L[i] ∈ R of P@i, and MAP its mean;
- MRR = the mean of 1/rank of the first relevant item (0 when none is ranked);
- nDCG@10 = DCG@10 / IDCG@10 with DCG@10 = Σ_{i=1..10} (2^rel(L[i]) - 1) / log2(i + 1);

each macro-averaged over every judged query. A query whose relevant items are all missing from the
candidates scores 0 on every metric and still counts in the average. A ranked list keeps the first
occurrence of an id that it repeats.

>>> precision_at(["a", "x", "b"], {"a", "b"}, 2)
0.5
>>> round(ndcg_at(["x", "a"], {"a": 1}), 4)
0.6309
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from graph.errors import InputError

OBO = "http://purl.obolibrary.org/obo/"
PROFILE_SIZE = 20  # the paper's protocol: a researcher's 20 most recent publications
RATINGS_HEADER = ("researcher_id", "paper_id", "expertise")

Grades = Mapping[str, float]
Qrels = Mapping[str, Grades]
Pair = tuple[str, str]


# --- metrics -------------------------------------------------------------------------------------


def _distinct(ranked: Iterable[str]) -> list[str]:
    """The ranked ids with repeats removed, each kept at its first position."""
    return list(dict.fromkeys(ranked))


def precision_at(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """|L[:k] ∩ R| / k (a list shorter than k still divides by k)."""
    if k <= 0:
        raise ValueError(f"k must be positive, not {k}")
    return sum(1 for item in _distinct(ranked)[:k] if item in relevant) / k


def recall_at(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """|L[:k] ∩ R| / |R|; 0 when nothing is relevant."""
    if k <= 0:
        raise ValueError(f"k must be positive, not {k}")
    if not relevant:
        return 0.0
    return sum(1 for item in _distinct(ranked)[:k] if item in relevant) / len(relevant)


def average_precision(ranked: Sequence[str], relevant: Collection[str]) -> float:
    """(1/|R|) Σ P@i over the ranks i that hold a relevant item; 0 when nothing is relevant."""
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for rank, item in enumerate(_distinct(ranked), start=1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: Collection[str]) -> float:
    """1 / the rank of the first relevant item; 0 when none is ranked."""
    for rank, item in enumerate(_distinct(ranked), start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def _dcg(grades: Iterable[float]) -> float:
    return sum((math.pow(2.0, grade) - 1.0) / math.log2(rank + 1) for rank, grade in enumerate(grades, start=1))


def ndcg_at(ranked: Sequence[str], grades: Grades, k: int = 10) -> float:
    """DCG@k / IDCG@k with gain 2^rel - 1 and discount log2(i + 1); 0 when nothing is relevant."""
    if k <= 0:
        raise ValueError(f"k must be positive, not {k}")
    positive = {item: grade for item, grade in grades.items() if grade > 0}
    ideal = _dcg(sorted(positive.values(), reverse=True)[:k])
    if ideal == 0.0:
        return 0.0
    return _dcg(positive.get(item, 0.0) for item in _distinct(ranked)[:k]) / ideal


@dataclass(frozen=True)
class Scores:
    """Macro-averaged scores of one run over the judged queries of one evaluation set."""

    p_at_5: float
    r_at_5: float
    map: float
    mrr: float
    ndcg_at_10: float
    n_queries: int
    #: nDCG@10 of each judged query, in the judgements' order (what an interval resamples; not in ``as_dict``)
    ndcg_per_query: tuple[float, ...] = field(default=(), compare=False, repr=False)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "p_at_5": self.p_at_5,
            "r_at_5": self.r_at_5,
            "map": self.map,
            "mrr": self.mrr,
            "ndcg_at_10": self.ndcg_at_10,
            "n_queries": self.n_queries,
        }


def _query_scores(ranked: Sequence[str], grades: Grades) -> tuple[float, float, float, float, float]:
    """(P@5, R@5, AP, RR, nDCG@10) of one query; ``grades`` holds only its relevant candidates."""
    return (
        precision_at(ranked, grades, 5),
        recall_at(ranked, grades, 5),
        average_precision(ranked, grades),
        reciprocal_rank(ranked, grades),
        ndcg_at(ranked, grades, 10),
    )


def score_run(run: Mapping[str, Sequence[str]], qrels: Qrels, candidates: Collection[str]) -> Scores:
    """Scores of ``run`` (query id → ranked candidate ids) against ``qrels`` (query id → id → grade).

    Every query of ``qrels`` counts; one missing from ``run`` ranks nothing. Only relevant items that are
    in ``candidates`` form R; a query with none scores 0. Queries of ``run`` without judgements are ignored.
    Ids must already be normalised the same way on both sides.
    """
    if not qrels:
        raise ValueError("no judged queries to score")
    per_query = []
    for query_id, judged in qrels.items():
        grades = {item: grade for item, grade in judged.items() if grade > 0 and item in candidates}
        per_query.append(_query_scores(run.get(query_id, ()), grades) if grades else (0.0,) * 5)
    n = len(qrels)
    p5, r5, ap, rr, ndcg = (sum(column) / n for column in zip(*per_query, strict=True))
    ndcgs = tuple(scores[4] for scores in per_query)
    return Scores(p_at_5=p5, r_at_5=r5, map=ap, mrr=rr, ndcg_at_10=ndcg, n_queries=n, ndcg_per_query=ndcgs)


def pairwise_loss(predicted: Mapping[Pair, float], ratings: Mapping[Pair, float]) -> float:
    """The reviewer set's loss: 0 perfect, 1 every pair reversed, 0.5 for constant predictions.

    For each researcher and each pair of papers they rated, with t the difference of the ratings and s
    that of the predictions, |t| is added to the maximum, and to the loss when s·t < 0 (|t|/2 when s = 0
    and t ≠ 0). The loss is the sum over the maximum. Every rated pair needs a prediction.
    """
    return loss_of_terms(pairwise_terms(predicted, ratings))


def loss_of_terms(terms: Mapping[str, tuple[float, float]]) -> float:
    """The pairwise loss from ``pairwise_terms``: the summed loss over the summed maximum."""
    maximum = sum(most for _, most in terms.values())
    if maximum == 0.0:
        raise ValueError("the ratings never differ within a researcher, so the loss is undefined")
    return sum(loss for loss, _ in terms.values()) / maximum


def pairwise_terms(predicted: Mapping[Pair, float], ratings: Mapping[Pair, float]) -> dict[str, tuple[float, float]]:
    """Per researcher: what their pairs add to the loss and to the maximum (``pairwise_loss`` is the ratio of the
    sums; an interval resamples researchers by these)."""
    by_researcher: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (researcher, paper), rating in ratings.items():
        if (researcher, paper) not in predicted:
            raise ValueError(f"no predicted score for researcher {researcher!r} and paper {paper!r}")
        by_researcher[researcher].append((rating, predicted[researcher, paper]))
    terms = {}
    for researcher, rated in by_researcher.items():
        loss = maximum = 0.0
        for i, (rating_a, score_a) in enumerate(rated):
            for rating_b, score_b in rated[i + 1 :]:
                t, s = rating_a - rating_b, score_a - score_b
                maximum += abs(t)
                if s * t < 0:
                    loss += abs(t)
                elif s == 0:
                    loss += abs(t) / 2  # adds nothing when t = 0 too
        terms[researcher] = (loss, maximum)
    return terms


# --- evaluation sets -----------------------------------------------------------------------------


def datafinder_id(raw: str) -> str:
    """A DataFinder id as the evaluation compares it: whitespace runs become one underscore.

    >>> datafinder_id("CNN / Daily  Mail")
    'CNN_/_Daily_Mail'
    """
    return "_".join(raw.split())


def same_id(raw: str) -> str:
    """Ids compared as given (CHMO CURIEs)."""
    return raw


@dataclass(frozen=True)
class Query:
    """One query: ``text`` is what a matcher is asked by default (DataFinder's full sentence, CHMO's label)."""

    text: str
    keyphrases: str | None = None  # DataFinder's keyphrase form of the same idea
    definition: str | None = None  # CHMO's definition of the method


@dataclass(frozen=True)
class EvalSet:
    """Queries, their judgements (ids already normalised) and the normalisation a run's ids need."""

    name: str
    queries: Mapping[str, Query]
    qrels: Qrels
    normalise: Callable[[str], str]


class Paper(NamedTuple):
    """A paper as the reviewer set and the expert profiles give it."""

    title: str
    abstract: str | None
    year: int | None

    @property
    def text(self) -> str:
        """Title and abstract, separated by a blank line (the title alone when there is no abstract)."""
        return f"{self.title}\n\n{self.abstract}" if self.abstract else self.title


@dataclass(frozen=True)
class Researcher:
    name: str
    profile_paper_ids: tuple[str, ...]


@dataclass(frozen=True)
class ReviewerSet:
    """Researchers, the papers they rated, and the ratings keyed by (researcher id, paper id)."""

    researchers: Mapping[str, Researcher]
    papers: Mapping[str, Paper]
    ratings: Mapping[Pair, float]


def _fail(path: Path, line: int | None, reason: str) -> InputError:
    where = f"{path}, line {line}" if line is not None else f"{path}"
    return InputError(f"{where}: {reason}")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise _fail(path, None, "no such file; check the path") from e
    except UnicodeDecodeError as e:
        raise _fail(path, None, f"not valid UTF-8 ({e.reason}); re-save the file as UTF-8") from e
    except OSError as e:
        raise _fail(path, None, f"cannot be read ({e.strerror})") from e


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; anything else is an ``InputError``."""
    for number, line in enumerate(_read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise _fail(path, number, f"not JSON ({e.msg})") from e
        if not isinstance(row, dict):
            raise _fail(path, number, "expected a JSON object")
        yield number, row


def _required(row: Mapping[str, Any], key: str, path: Path, line: int) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, line, f"{key!r} must be a non-empty string, not {value!r}")
    return value


def _optional(row: Mapping[str, Any], key: str, path: Path, line: int) -> str | None:
    return None if row.get(key) is None else _required(row, key, path, line)


def _strings(row: Mapping[str, Any], key: str, path: Path, line: int) -> list[str]:
    value = row.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, line, f"{key!r} must be a list of non-empty strings")
    return value


def _grade(value: object, what: str, path: Path, line: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(path, line, f"{what} must be a number, not {value!r}")
    return float(value)


def _new_query(seen: Mapping[str, object], query_id: str, path: Path, line: int) -> str:
    if query_id in seen:
        raise _fail(path, line, f"query {query_id!r} is given twice")
    return query_id


def load_datafinder(queries_path: Path) -> EvalSet:
    """DataFinder queries (``query``, ``keyphrase_query``) with the binary judgements of ``relevant``."""
    queries: dict[str, Query] = {}
    qrels: dict[str, dict[str, float]] = {}
    for line, row in _jsonl(queries_path):
        query_id = _new_query(queries, _required(row, "query_id", queries_path, line), queries_path, line)
        queries[query_id] = Query(
            text=_required(row, "query", queries_path, line),
            keyphrases=_optional(row, "keyphrase_query", queries_path, line),
        )
        qrels[query_id] = {datafinder_id(item): 1.0 for item in _strings(row, "relevant", queries_path, line)}
    return EvalSet("datafinder", queries, qrels, datafinder_id)


def load_chmo(path: Path) -> EvalSet:
    """CHMO methods (label and definition) with the graded judgements of ``relevance``."""
    queries: dict[str, Query] = {}
    qrels: dict[str, dict[str, float]] = {}
    for line, row in _jsonl(path):
        query_id = _new_query(queries, _required(row, "query_id", path, line), path, line)
        queries[query_id] = Query(
            text=_required(row, "query", path, line),
            definition=_optional(row, "query_definition", path, line),
        )
        qrels[query_id] = _graded(row, path, line)
    return EvalSet("chmo", queries, qrels, same_id)


def _graded(row: Mapping[str, Any], path: Path, line: int) -> dict[str, float]:
    relevance = row.get("relevance")
    if not isinstance(relevance, dict) or not relevance:
        raise _fail(path, line, "'relevance' must be an object of candidate id → grade")
    grades = {str(item): _grade(grade, f"the grade of {item!r}", path, line) for item, grade in relevance.items()}
    missing = set(_strings(row, "relevant", path, line)) - grades.keys()
    if missing:
        raise _fail(path, line, f"'relevant' names {sorted(missing)} that 'relevance' does not grade")
    return grades


def load_reviewer(folder: Path) -> ReviewerSet:
    """``researchers.jsonl``, ``papers.jsonl`` and ``ratings.tsv`` of the reviewer set's folder."""
    researchers = _researchers(folder / "researchers.jsonl")
    papers = _papers(folder / "papers.jsonl")
    ratings = _ratings(folder / "ratings.tsv", researchers, papers)
    return ReviewerSet(researchers, papers, ratings)


def _researchers(path: Path) -> dict[str, Researcher]:
    researchers: dict[str, Researcher] = {}
    for line, row in _jsonl(path):
        researcher_id = _required(row, "researcher_id", path, line)
        if researcher_id in researchers:
            raise _fail(path, line, f"researcher {researcher_id!r} is given twice")
        name = _required(row, "name", path, line)
        researchers[researcher_id] = Researcher(name, tuple(_strings(row, "profile_paper_ids", path, line)))
    return researchers


def _papers(path: Path) -> dict[str, Paper]:
    papers: dict[str, Paper] = {}
    for line, row in _jsonl(path):
        paper_id = _required(row, "paper_id", path, line)
        if paper_id in papers:
            raise _fail(path, line, f"paper {paper_id!r} is given twice")
        papers[paper_id] = _paper(row, path, line)
    return papers


def _paper(row: Mapping[str, Any], path: Path, line: int) -> Paper:
    year = row.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise _fail(path, line, f"'year' must be an integer or null, not {year!r}")
    abstract = row.get("abstract")
    if abstract is not None and not isinstance(abstract, str):
        raise _fail(path, line, f"'abstract' must be a string or null, not {abstract!r}")
    return Paper(_required(row, "title", path, line), abstract or None, year)


def _ratings(path: Path, researchers: Mapping[str, Researcher], papers: Mapping[str, Paper]) -> dict[Pair, float]:
    rows = csv.reader(_read_text(path).splitlines(), delimiter="\t")
    header = next(rows, None)
    if header is None or tuple(h.strip() for h in header) != RATINGS_HEADER:
        raise _fail(path, 1, f"the header must be {' | '.join(RATINGS_HEADER)}, not {header}")
    ratings: dict[Pair, float] = {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        pair, rating = _rating(row, path, line, researchers, papers)
        if pair in ratings:
            raise _fail(path, line, f"researcher {pair[0]!r} rates paper {pair[1]!r} twice")
        ratings[pair] = rating
    return ratings


def _rating(
    row: Sequence[str], path: Path, line: int, researchers: Mapping[str, Researcher], papers: Mapping[str, Paper]
) -> tuple[Pair, float]:
    if len(row) != len(RATINGS_HEADER):
        raise _fail(path, line, f"expected {len(RATINGS_HEADER)} tab-separated columns, found {len(row)}")
    researcher, paper, expertise = (cell.strip() for cell in row)
    if researcher not in researchers:
        raise _fail(path, line, f"researcher {researcher!r} is not in researchers.jsonl")
    if paper not in papers:
        raise _fail(path, line, f"paper {paper!r} is not in papers.jsonl")
    try:
        rating = float(expertise)
    except ValueError as e:
        raise _fail(path, line, f"expertise must be a number, not {expertise!r}") from e
    if not math.isfinite(rating):
        raise _fail(path, line, f"expertise must be a finite number, not {expertise!r}")
    return (researcher, paper), rating


def load_reviewer_profiles(experts_path: Path, limit: int | None = PROFILE_SIZE) -> dict[str, list[Paper]]:
    """Researcher id (the Semantic Scholar author id the ratings use) → their ``limit`` most recent papers.

    Newest first; papers without a year come last; papers of one year keep the file's order.
    ``limit=None`` keeps them all.
    """
    profiles: dict[str, list[Paper]] = {}
    for line, row in _jsonl(experts_path):
        researcher_id = _required(row, "semantic_scholar_author_id", experts_path, line)
        if researcher_id in profiles:
            raise _fail(experts_path, line, f"researcher {researcher_id!r} is given twice")
        papers = _profile_papers(row, experts_path, line)
        papers.sort(key=lambda paper: -paper.year if paper.year is not None else math.inf)
        profiles[researcher_id] = papers if limit is None else papers[:limit]
    return profiles


def _profile_papers(row: Mapping[str, Any], path: Path, line: int) -> list[Paper]:
    papers = row.get("papers")
    if not isinstance(papers, list) or not all(isinstance(p, dict) for p in papers):
        raise _fail(path, line, "'papers' must be a list of objects")
    return [_paper(paper, path, line) for paper in papers]


def obo_curie(iri: str) -> str:
    """``http://purl.obolibrary.org/obo/CHMO_0000953`` → ``CHMO:0000953``; any other IRI as given.

    >>> obo_curie("http://purl.obolibrary.org/obo/CHMO_0000953")
    'CHMO:0000953'
    """
    local = iri.removeprefix(OBO)
    if local == iri or "_" not in local or "/" in local:
        return iri
    prefix, _, number = local.partition("_")
    return f"{prefix}:{number}"


# --- running -------------------------------------------------------------------------------------


def query_text(query: Query) -> str:
    """The default text a ranker is asked: the query's ``text``."""
    return query.text


def evaluate(
    eval_set: EvalSet,
    rank: Callable[[str], Sequence[str]],
    k: int = 100,
    *,
    candidates: Iterable[str] | None = None,
    text_of: Callable[[Query], str] = query_text,
) -> Scores:
    """Ask ``rank`` every query (``text_of`` picks the form), keep its top ``k``, and score the run.

    ``candidates`` are the ids that could be ranked (normalised here like the ranked ids); without them
    every judged id counts as a candidate.
    """
    if k <= 0:
        raise ValueError(f"k must be positive, not {k}")
    run = {
        query_id: _distinct(eval_set.normalise(item) for item in rank(text_of(query)))[:k]
        for query_id, query in eval_set.queries.items()
    }
    pool = (
        {item for grades in eval_set.qrels.values() for item in grades}
        if candidates is None
        else {eval_set.normalise(item) for item in candidates}
    )
    return score_run(run, eval_set.qrels, pool)


def evaluate_reviewer(reviewer_set: ReviewerSet, score_pair: Callable[[str, str], float]) -> float:
    """The pairwise loss of ``score_pair(researcher id, paper text)`` over every rating of the set."""
    return pairwise_loss(_predicted(reviewer_set, score_pair), reviewer_set.ratings)


def evaluate_reviewer_terms(
    reviewer_set: ReviewerSet, score_pair: Callable[[str, str], float]
) -> dict[str, tuple[float, float]]:
    """``pairwise_terms`` of ``score_pair`` over every rating of the set: per researcher, (loss, maximum)."""
    return pairwise_terms(_predicted(reviewer_set, score_pair), reviewer_set.ratings)


def _predicted(reviewer_set: ReviewerSet, score_pair: Callable[[str, str], float]) -> dict[Pair, float]:
    return {
        (researcher, paper): score_pair(researcher, reviewer_set.papers[paper].text)
        for researcher, paper in reviewer_set.ratings
    }


COLUMNS = (("P@5", "p_at_5"), ("R@5", "r_at_5"), ("MAP", "map"), ("MRR", "mrr"), ("nDCG@10", "ndcg_at_10"))


def format_table(rows: Mapping[str, Scores], digits: int = 3) -> str:
    """A Markdown table, one row per method, the metrics to ``digits`` places and the query count.

    >>> print(format_table({"bm25": Scores(0.1, 0.2, 0.3, 0.4, 0.5, 8)}))
    | method | P@5 | R@5 | MAP | MRR | nDCG@10 | queries |
    | --- | ---: | ---: | ---: | ---: | ---: | ---: |
    | bm25 | 0.100 | 0.200 | 0.300 | 0.400 | 0.500 | 8 |
    """
    header = ["method", *(title for title, _ in COLUMNS), "queries"]
    lines = [_row(header), _row(["---", *["---:"] * (len(header) - 1)])]
    for method, scores in rows.items():
        values = scores.as_dict()
        cells = [f"{values[key]:.{digits}f}" for _, key in COLUMNS]
        lines.append(_row([method.replace("|", "\\|"), *cells, str(scores.n_queries)]))
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
