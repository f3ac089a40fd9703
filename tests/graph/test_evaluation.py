"""Evaluation: the metrics on hand-computed examples, the pairwise loss, the loaders on invented files
(tests/fixtures/eval/SOURCE.md) and, where ../shared is present, on the real development sets."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.evaluation.metrics import (
    EvalSet,
    Paper,
    Query,
    Scores,
    average_precision,
    datafinder_id,
    evaluate,
    evaluate_reviewer,
    format_table,
    load_chmo,
    load_datafinder,
    load_reviewer,
    load_reviewer_profiles,
    ndcg_at,
    obo_curie,
    pairwise_loss,
    precision_at,
    recall_at,
    reciprocal_rank,
    score_run,
)
from ingest.readers.datafinder import DataFinderReader
from ingest.readers.tabular import MappedReader
from ingest.records import Dataset, Origin, Subject
from tests.conftest import FIXTURES, REPO

EVAL = FIXTURES / "eval"
SHARED = REPO.parent / "shared"
ORIGIN = Origin("test", 1, "x")


def shared(relative: str) -> Path:
    """A path under ../shared, or skip when this checkout has none beside it."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} not present (shared data sits beside the repository only on project machines)")
    return path


# ---- metrics, one query
#
# ranked a x b y z c, relevant {a, b, c, d} (d never ranked): hits at ranks 1, 3 and 6.

RANKED = ["a", "x", "b", "y", "z", "c"]
RELEVANT = {"a", "b", "c", "d"}


def test_precision_and_recall_at_5() -> None:
    assert precision_at(RANKED, RELEVANT, 5) == pytest.approx(2 / 5)
    assert recall_at(RANKED, RELEVANT, 5) == pytest.approx(2 / 4)
    assert precision_at(RANKED, RELEVANT, 10) == pytest.approx(3 / 10)  # a short list still divides by k
    assert recall_at(RANKED, RELEVANT, 10) == pytest.approx(3 / 4)


def test_average_precision_divides_by_every_relevant_item() -> None:
    assert average_precision(RANKED, RELEVANT) == pytest.approx((1 / 1 + 2 / 3 + 3 / 6) / 4)  # 13/24


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(RANKED, RELEVANT) == 1.0
    assert reciprocal_rank(["x", "y", "b"], RELEVANT) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x", "y"], RELEVANT) == 0.0


def test_ndcg_binary() -> None:
    dcg = 1 / math.log2(2) + 1 / math.log2(4) + 1 / math.log2(7)
    ideal = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4) + 1 / math.log2(5)
    assert ndcg_at(RANKED, dict.fromkeys(RELEVANT, 1)) == pytest.approx(dcg / ideal)
    assert ndcg_at(RANKED, dict.fromkeys(RELEVANT, 1)) == pytest.approx(0.72463, abs=1e-5)


def test_ndcg_graded_gain_is_two_to_the_grade_minus_one() -> None:
    grades = {"direct": 2.0, "inherited": 1.0, "other": 1.0}
    dcg = 0 + 3 / math.log2(3) + 1 / math.log2(4)  # x, direct, inherited
    ideal = 3 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)  # direct, then the two grade-1 items
    assert ndcg_at(["x", "direct", "inherited"], grades) == pytest.approx(dcg / ideal)
    assert ndcg_at(["x", "direct", "inherited"], grades) == pytest.approx(0.57924, abs=1e-5)


def test_ndcg_ties_between_equal_grades_do_not_matter() -> None:
    grades = {"direct": 2.0, "inherited": 1.0, "other": 1.0}
    assert ndcg_at(["direct", "inherited", "other"], grades) == pytest.approx(1.0)
    assert ndcg_at(["direct", "other", "inherited"], grades) == pytest.approx(1.0)
    swapped = ndcg_at(["inherited", "x", "direct"], grades)
    assert ndcg_at(["other", "x", "direct"], grades) == pytest.approx(swapped)


def test_ndcg_counts_only_the_top_k() -> None:
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at(ranked, {"a": 1}) == 0.0
    assert ndcg_at(ranked, {"a": 1}, k=11) == pytest.approx(1 / math.log2(12))


def test_grade_zero_is_not_relevant() -> None:
    assert ndcg_at(["a", "b"], {"a": 0.0, "b": 1.0}) == pytest.approx(1 / math.log2(3))
    assert ndcg_at(["a"], {"a": 0.0}) == 0.0


def test_empty_run_and_nothing_relevant_score_zero() -> None:
    for relevant in (RELEVANT, set()):
        assert precision_at([], relevant, 5) == 0.0
        assert recall_at([], relevant, 5) == 0.0
        assert average_precision([], relevant) == 0.0
        assert reciprocal_rank([], relevant) == 0.0
        assert ndcg_at([], dict.fromkeys(relevant, 1)) == 0.0
    assert recall_at(RANKED, set(), 5) == 0.0 and average_precision(RANKED, set()) == 0.0


def test_a_repeated_id_counts_once_at_its_first_rank() -> None:
    assert precision_at(["a", "a", "b"], {"a"}, 2) == pytest.approx(1 / 2)
    assert average_precision(["a", "a", "a"], {"a", "b"}) == pytest.approx(1 / 2)
    assert ndcg_at(["a", "a"], {"a": 1, "b": 1}) == pytest.approx(1 / (1 + 1 / math.log2(3)))


@pytest.mark.parametrize("k", [0, -1])
def test_k_must_be_positive(k: int) -> None:
    with pytest.raises(ValueError, match="k must be positive"):
        precision_at(RANKED, RELEVANT, k)
    with pytest.raises(ValueError, match="k must be positive"):
        ndcg_at(RANKED, {"a": 1}, k)


# ---- a run over several queries


def test_score_run_macro_averages_and_missing_relevant_counts_as_zero() -> None:
    qrels = {"q1": {"a": 1.0}, "q2": {"m": 1.0}}  # m is not a candidate: q2 scores 0 whatever is ranked
    scores = score_run({"q1": ["a"], "q2": ["m"]}, qrels, {"a", "b"})
    assert scores == Scores(p_at_5=0.1, r_at_5=0.5, map=0.5, mrr=0.5, ndcg_at_10=0.5, n_queries=2)


def test_score_run_leaves_relevant_non_candidates_out_of_r() -> None:
    qrels = {"q": {"a": 1.0, "gone": 1.0}}
    scores = score_run({"q": ["a"]}, qrels, {"a", "b"})
    assert scores.r_at_5 == 1.0 and scores.map == 1.0 and scores.ndcg_at_10 == 1.0
    everything = score_run({"q": ["a"]}, qrels, {"a", "b", "gone"})
    assert everything.r_at_5 == 0.5 and everything.map == 0.5


def test_score_run_query_not_ranked_and_unjudged_query() -> None:
    scores = score_run({"other": ["a"]}, {"q1": {"a": 1.0}, "q2": {"a": 2.0}}, {"a"})
    assert scores.as_dict() == {"p_at_5": 0.0, "r_at_5": 0.0, "map": 0.0, "mrr": 0.0, "ndcg_at_10": 0.0, "n_queries": 2}


def test_score_run_graded() -> None:
    qrels = {"m1": {"d": 2.0, "i": 1.0}, "m2": {"e": 1.0}}
    scores = score_run({"m1": ["i", "d"], "m2": ["x", "e"]}, qrels, {"d", "i", "e", "x"})
    ndcg_m1 = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    ndcg_m2 = 1 / math.log2(3)
    assert scores.ndcg_at_10 == pytest.approx((ndcg_m1 + ndcg_m2) / 2)
    assert scores.map == pytest.approx((1.0 + 1 / 2) / 2)  # AP and MRR ignore the grade
    assert scores.mrr == pytest.approx((1.0 + 1 / 2) / 2)
    assert scores.p_at_5 == pytest.approx((2 / 5 + 1 / 5) / 2)


def test_score_run_needs_judged_queries() -> None:
    with pytest.raises(ValueError, match="no judged queries"):
        score_run({}, {}, set())


# ---- the reviewer loss

RATINGS = {("r1", "p1"): 5.0, ("r1", "p2"): 3.0, ("r1", "p3"): 1.0, ("r2", "p1"): 2.0, ("r2", "p2"): 4.0}


def test_pairwise_loss_perfect_reversed_and_constant() -> None:
    assert pairwise_loss({pair: rating / 10 for pair, rating in RATINGS.items()}, RATINGS) == 0.0
    assert pairwise_loss({pair: -rating for pair, rating in RATINGS.items()}, RATINGS) == 1.0
    assert pairwise_loss(dict.fromkeys(RATINGS, 0.7), RATINGS) == 0.5


def test_pairwise_loss_hand_example() -> None:
    # r1: (p1,p2) t=2 right, (p1,p3) t=4 right, (p2,p3) t=2 wrong -> 2; r2: (p1,p2) t=-2, s=0 -> 1. Maximum 10.
    predicted = {("r1", "p1"): 0.9, ("r1", "p2"): 0.1, ("r1", "p3"): 0.5, ("r2", "p1"): 0.3, ("r2", "p2"): 0.3}
    assert pairwise_loss(predicted, RATINGS) == pytest.approx(3 / 10)


def test_pairwise_loss_compares_papers_only_within_a_researcher() -> None:
    ratings = {("r1", "p1"): 5.0, ("r1", "p2"): 1.0, ("r2", "p1"): 5.0, ("r2", "p2"): 1.0}
    predicted = {("r1", "p1"): 0.2, ("r1", "p2"): 0.1, ("r2", "p1"): 0.9, ("r2", "p2"): 0.8}
    assert pairwise_loss(predicted, ratings) == 0.0  # r2's scores are all above r1's: no matter


def test_pairwise_loss_equal_ratings_add_nothing() -> None:
    ratings = {("r", "p1"): 3.0, ("r", "p2"): 3.0, ("r", "p3"): 1.0}
    predicted = {("r", "p1"): 0.0, ("r", "p2"): 1.0, ("r", "p3"): 0.5}  # p1 < p3 is wrong by t=2; max 4
    assert pairwise_loss(predicted, ratings) == pytest.approx(2 / 4)


def test_pairwise_loss_needs_every_prediction_and_a_difference() -> None:
    with pytest.raises(ValueError, match="'r2' and paper 'p2'"):
        pairwise_loss({pair: 1.0 for pair in RATINGS if pair != ("r2", "p2")}, RATINGS)
    with pytest.raises(ValueError, match="never differ"):
        pairwise_loss({("r", "p1"): 1.0, ("r", "p2"): 2.0}, {("r", "p1"): 3.0, ("r", "p2"): 3.0})


# ---- loaders on the invented files


def test_load_datafinder() -> None:
    eval_set = load_datafinder(EVAL / "datafinder-queries.jsonl")
    assert eval_set.name == "datafinder" and list(eval_set.queries) == ["q-faces", "q-speech", "q-none"]
    faces = eval_set.queries["q-faces"]
    assert faces == Query("I want to rebuild 3D shapes of faces from single photos.", "3d face reconstruction, images")
    assert eval_set.queries["q-speech"].keyphrases is None and eval_set.queries["q-none"].keyphrases is None
    assert eval_set.qrels["q-faces"] == {"Tiny_Faces_3D": 1.0, "FaceScan": 1.0}  # all of `relevant`
    assert eval_set.qrels["q-speech"] == {"Command_Words": 1.0}
    assert eval_set.normalise(" Tiny  Faces\t3D ") == "Tiny_Faces_3D"


def test_load_chmo() -> None:
    eval_set = load_chmo(EVAL / "chmo-methods.jsonl")
    assert eval_set.name == "chmo"
    assert eval_set.queries["CHMO:9000001"] == Query(
        "tiny microscopy", definition="Looking at tiny things with a tiny microscope."
    )
    assert eval_set.queries["CHMO:9000002"].definition is None
    assert eval_set.qrels == {
        "CHMO:9000001": {"CHMO:9000101": 2.0, "CHMO:9000100": 1.0},
        "CHMO:9000002": {"CHMO:9000200": 2.0},
    }
    assert eval_set.normalise("CHMO:9000101") == "CHMO:9000101"


def test_load_reviewer() -> None:
    reviewer = load_reviewer(EVAL / "reviewer")
    assert set(reviewer.researchers) == {"101", "202"}
    assert reviewer.researchers["101"].name == "Ada Example"
    assert reviewer.researchers["101"].profile_paper_ids == ("pa", "pb")
    assert reviewer.papers["p1"] == Paper("Counting sheep with graphs", "We count sheep.", 2020)
    assert reviewer.papers["p1"].text == "Counting sheep with graphs\n\nWe count sheep."
    assert reviewer.papers["p2"].abstract is None and reviewer.papers["p3"].abstract is None
    assert reviewer.papers["p3"].text == "A survey of surveys" and reviewer.papers["p3"].year is None
    assert reviewer.ratings == {
        ("101", "p1"): 5.0,
        ("101", "p2"): 3.5,
        ("101", "p3"): 1.0,
        ("202", "p1"): 2.25,
        ("202", "p2"): 4.0,
    }


def test_load_reviewer_profiles_newest_first() -> None:
    profiles = load_reviewer_profiles(EVAL / "experts.jsonl")
    assert [paper.title for paper in profiles["101"]] == ["New work", "Also new work", "Old work", "Undated work"]
    assert profiles["101"][3] == Paper("Undated work", None, None)
    assert profiles["202"] == []
    assert [p.title for p in load_reviewer_profiles(EVAL / "experts.jsonl", limit=2)["101"]] == [
        "New work",
        "Also new work",
    ]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


DATAFINDER_ROW = '{"query_id": "q1", "query": "an idea", "relevant": ["D"]}\n'


@pytest.mark.parametrize(
    ("second_line", "message"),
    [
        ("{not json", "line 2: not JSON"),
        ("[1, 2]", "line 2: expected a JSON object"),
        ('{"query_id": "q2", "relevant": ["D"]}', "line 2: 'query' must be a non-empty string"),
        ('{"query_id": "q2", "query": " ", "relevant": ["D"]}', "line 2: 'query' must be a non-empty string"),
        ('{"query_id": "q2", "query": "x", "relevant": "D"}', "line 2: 'relevant' must be a list"),
        ('{"query_id": "q2", "query": "x", "keyphrase_query": 3, "relevant": []}', "line 2: 'keyphrase_query'"),
        ('{"query_id": "q1", "query": "again", "relevant": ["D"]}', "line 2: query 'q1' is given twice"),
    ],
)
def test_load_datafinder_rejects_bad_lines(tmp_path: Path, second_line: str, message: str) -> None:
    path = write(tmp_path / "queries.jsonl", DATAFINDER_ROW + second_line + "\n")
    with pytest.raises(InputError, match=message) as raised:
        load_datafinder(path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"query_id": "m", "query": "x", "relevant": ["A"]}', "'relevance' must be an object"),
        ('{"query_id": "m", "query": "x", "relevant": ["A"], "relevance": {"A": "2"}}', "the grade of 'A'"),
        ('{"query_id": "m", "query": "x", "relevant": ["A"], "relevance": {"A": true}}', "the grade of 'A'"),
        ('{"query_id": "m", "query": "x", "relevant": ["A", "B"], "relevance": {"A": 2}}', r"'relevant' names \['B'\]"),
    ],
)
def test_load_chmo_rejects_bad_lines(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path / "chmo.jsonl", line + "\n")
    with pytest.raises(InputError, match=f"line 1: {message}"):
        load_chmo(path)


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"absent\.jsonl: no such file"):
        load_datafinder(tmp_path / "absent.jsonl")
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(b'{"query_id": "q", "query": "caf\xe9", "relevant": []}\n')
    with pytest.raises(InputError, match=r"latin1\.jsonl: not valid UTF-8"):
        load_datafinder(bad)
    with pytest.raises(InputError, match=r"researchers\.jsonl: no such file"):
        load_reviewer(tmp_path)


def reviewer_folder(tmp_path: Path, ratings: str) -> Path:
    for name in ("researchers.jsonl", "papers.jsonl"):
        write(tmp_path / name, (EVAL / "reviewer" / name).read_text(encoding="utf-8"))
    write(tmp_path / "ratings.tsv", ratings)
    return tmp_path


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ("researcher\tpaper\texpertise\n", "line 1: the header must be"),
        ("", "line 1: the header must be"),
        ("researcher_id\tpaper_id\texpertise\n101\tp1\n", "line 2: expected 3 tab-separated columns"),
        ("researcher_id\tpaper_id\texpertise\n101\tp1\t5\n999\tp1\t5\n", "line 3: researcher '999' is not"),
        ("researcher_id\tpaper_id\texpertise\n101\tp9\t5\n", "line 2: paper 'p9' is not in papers.jsonl"),
        ("researcher_id\tpaper_id\texpertise\n101\tp1\thigh\n", "line 2: expertise must be a number"),
        ("researcher_id\tpaper_id\texpertise\n101\tp1\tnan\n", "line 2: expertise must be a finite number"),
        ("researcher_id\tpaper_id\texpertise\n101\tp1\t5\n101\tp1\t4\n", "line 3: researcher '101' rates"),
    ],
)
def test_load_reviewer_rejects_bad_ratings(tmp_path: Path, ratings: str, message: str) -> None:
    with pytest.raises(InputError, match=f"ratings.tsv, {message}"):
        load_reviewer(reviewer_folder(tmp_path, ratings))


def test_load_reviewer_profiles_rejects_bad_lines(tmp_path: Path) -> None:
    good = (EVAL / "experts.jsonl").read_text(encoding="utf-8")
    cases = {
        '{"semantic_scholar_author_id": "7", "papers": {}}': "line 3: 'papers' must be a list of objects",
        '{"semantic_scholar_author_id": "7", "papers": [{"title": "t", "year": "2020"}]}': "line 3: 'year'",
        '{"semantic_scholar_author_id": "7", "papers": [{"title": "t", "abstract": 1}]}': "line 3: 'abstract'",
        '{"semantic_scholar_author_id": "101", "papers": []}': "line 3: researcher '101' is given twice",
    }
    for line, message in cases.items():
        path = write(tmp_path / "experts.jsonl", good + line + "\n")
        with pytest.raises(InputError, match=f"experts.jsonl, {message}"):
            load_reviewer_profiles(path)


# ---- candidate ids, the runners and the table


@pytest.mark.parametrize(
    ("iri", "curie"),
    [
        ("http://purl.obolibrary.org/obo/OBI_0000968", "OBI:0000968"),
        ("http://purl.obolibrary.org/obo/chmo.owl", "http://purl.obolibrary.org/obo/chmo.owl"),
        ("http://purl.obolibrary.org/obo/a/B_1", "http://purl.obolibrary.org/obo/a/B_1"),
    ],
)
def test_obo_curie(iri: str, curie: str) -> None:
    assert obo_curie(iri) == curie


def test_evaluate_normalises_cuts_at_k_and_uses_the_chosen_form() -> None:
    eval_set = load_datafinder(EVAL / "datafinder-queries.jsonl")
    answers = {
        "I want to rebuild 3D shapes of faces from single photos.": ["Other", "Tiny  Faces 3D", "Tiny_Faces_3D"],
        "A system that transcribes spoken commands on small devices.": ["Command Words"],
        "Predict the weather on Mars.": ["Mars Weather"],
    }
    asked: list[str] = []

    def rank(text: str) -> list[str]:
        asked.append(text)
        return answers.get(text, [])

    candidates = ["Other", "Tiny Faces 3D", "FaceScan", "Command Words"]  # Mars Weather is not a candidate
    scores = evaluate(eval_set, rank, candidates=candidates)
    assert asked == list(answers)
    assert scores.n_queries == 3
    assert scores.mrr == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert scores.r_at_5 == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert evaluate(eval_set, rank, k=1, candidates=candidates).mrr == pytest.approx(1 / 3)
    # without candidates every judged id is one, so Mars Weather is found
    assert evaluate(eval_set, rank).mrr == pytest.approx((1 / 2 + 1 + 1) / 3)
    asked.clear()
    evaluate(eval_set, rank, text_of=lambda q: q.keyphrases or q.text)
    assert asked[0] == "3d face reconstruction, images"


def test_evaluate_graded_set_built_by_hand() -> None:
    eval_set = EvalSet("hand", {"m": Query("method")}, {"m": {"d": 2.0, "i": 1.0}}, str.strip)
    assert evaluate(eval_set, lambda _: [" d", "i "]).ndcg_at_10 == pytest.approx(1.0)
    with pytest.raises(ValueError, match="k must be positive"):
        evaluate(eval_set, lambda _: [], k=0)


def test_evaluate_reviewer_passes_researcher_and_paper_text() -> None:
    reviewer = load_reviewer(EVAL / "reviewer")
    by_text = {paper.text: paper_id for paper_id, paper in reviewer.papers.items()}
    seen: list[tuple[str, str]] = []

    def oracle(researcher: str, text: str) -> float:
        seen.append((researcher, text))
        return reviewer.ratings[researcher, by_text[text]]

    assert evaluate_reviewer(reviewer, oracle) == 0.0
    assert len(seen) == 5 and ("101", "Sorting socks quickly") in seen
    assert evaluate_reviewer(reviewer, lambda _researcher, _text: 1.0) == 0.5


def test_format_table() -> None:
    table = format_table(
        {"bm25": Scores(0.1, 0.25, 0.3, 0.4, 0.5, 108), "a|b": Scores(0.0, 0.0, 0.0, 0.0, 0.12345, 108)}
    )
    lines = table.splitlines()
    assert lines[0] == "| method | P@5 | R@5 | MAP | MRR | nDCG@10 | queries |"
    assert lines[2] == "| bm25 | 0.100 | 0.250 | 0.300 | 0.400 | 0.500 | 108 |"
    assert lines[3] == "| a\\|b | 0.000 | 0.000 | 0.000 | 0.000 | 0.123 | 108 |"
    assert format_table({"x": Scores(0.5, 0, 0, 0, 0, 1)}, digits=1).splitlines()[2].startswith("| x | 0.5 | 0.0")


# ---- the real development sets, where ../shared is present


def test_real_datafinder_set() -> None:
    eval_set = load_datafinder(shared("eval/datafinder-dev/queries.jsonl"))
    assert len(eval_set.queries) == 108 and len(eval_set.qrels) == 108
    assert all(query.text and query.keyphrases for query in eval_set.queries.values())
    assert sum(1 for grades in eval_set.qrels.values() if not grades) == 3  # judged with no relevant dataset


def test_real_datafinder_candidates_come_from_the_product_reader() -> None:
    path = shared("data/datafinder-datasets/datasets.jsonl")
    eval_set = load_datafinder(shared("eval/datafinder-dev/queries.jsonl"))
    records = DataFinderReader().read(path, "datafinder")
    candidates = {datafinder_id(r.local_id) for r in records if isinstance(r, Dataset)}
    assert len(candidates) == 3294
    with_a_candidate = [q for q, grades in eval_set.qrels.items() if grades.keys() & candidates]
    assert len(with_a_candidate) == 104  # 3 name no dataset, 1 only datasets outside the collection


def test_real_chmo_set_and_candidates() -> None:
    eval_set = load_chmo(shared("eval/chmo-dev/method_to_instrument_type.jsonl"))
    assert len(eval_set.queries) == 61 and len(eval_set.qrels) == 61
    assert {grade for grades in eval_set.qrels.values() for grade in grades.values()} <= {1.0, 2.0}
    reader = MappedReader(REPO / "mappings" / "chmo-instrument-types.toml")
    records = reader.read(shared("data/chmo-instruments-methods/instrument_types.csv"), "chmo")
    candidates = {obo_curie(r.iri) for r in records if isinstance(r, Subject)}
    assert len(candidates) == 250
    assert all(grades.keys() <= candidates for grades in eval_set.qrels.values())


def test_real_reviewer_set_and_profiles() -> None:
    reviewer = load_reviewer(shared("eval/reviewer-dev"))
    assert len(reviewer.ratings) == 126
    assert len({researcher for researcher, _ in reviewer.ratings}) == 15
    assert all(1.0 <= rating <= 5.0 for rating in reviewer.ratings.values())
    profiles = load_reviewer_profiles(shared("data/reviewer-expert-profiles/experts.jsonl"))
    assert set(reviewer.researchers) <= profiles.keys()
    assert all(0 < len(profiles[researcher]) <= 20 for researcher in reviewer.researchers)
