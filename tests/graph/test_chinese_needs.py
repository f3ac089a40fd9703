"""Needs written in Chinese: matched by their English gloss, explained word by word, and, in the demand log, stored
with the vector they were matched by, so that reverse matching and unmet-needs clusters treat them by meaning, not by
the language they were written in (issue 13)."""

from __future__ import annotations

from pathlib import Path

import jieba
import numpy as np

from api.evaluate import TASKS, _judged
from graph.centre import DemandIntake, DemandLog
from graph.centre.unmet import unmet_needs
from graph.evaluation.metrics import EvalSet, Query
from graph.search import MAX_UNKNOWN_WORDS, Embedder, EmbeddingCache, Filters, SearchIndex
from graph.search.crosslingual import has_cjk, shared_glossary
from graph.search.fit import evidence_of, fit_of_evidence
from graph.search.matcher import Matcher
from graph.store import open_store
from ingest.pipeline import ingest_source, plan
from tests.conftest import FIXTURES
from tests.graph.conftest import load

NMR_NEED = "需要核磁共振波谱仪来确认合成药物分子的结构"  # an NMR spectrometer to confirm a synthesised drug's structure


def test_a_chinese_need_finds_the_english_instrument_and_says_which_word_matched(matcher: Matcher) -> None:
    response = matcher.match(NMR_NEED, Filters(types=("Instrument",)), k=3)
    top = response.results["Instrument"][0]
    assert "NMR" in top.label or "nuclear magnetic resonance" in top.label.lower()
    glossed = {source for source, _ in top.explanation.glossary}
    assert "核磁共振" in glossed
    assert top.band in {"strong", "good"}


def test_the_answer_names_the_chinese_words_the_glossary_read_character_by_character(matcher: Matcher) -> None:
    """CC-CEDICT lacks 钙钛矿 (perovskite), read as "calcium titanium ore": the answer says so, so that the team can
    write the English term beside it; words read from the dictionary and English needs name none."""
    perovskite = matcher.match("用X射线衍射表征钙钛矿太阳能电池薄膜的晶体结构", Filters(types=("Instrument",)), k=1)
    assert perovskite.unknown_words == ["钙钛矿"]
    assert matcher.match("用X射线衍射表征太阳能电池薄膜", Filters(types=("Instrument",)), k=1).unknown_words == []
    assert matcher.match("perovskite films by XRD", Filters(types=("Instrument",)), k=1).unknown_words == []


def test_an_answer_names_at_most_the_first_words_read_character_by_character(matcher: Matcher) -> None:
    """A need of many words the dictionary lacks (a hostile one, or a long text) names the first
    ``MAX_UNKNOWN_WORDS`` of them, in its order, not all: the page lists them under the need."""
    words: list[str] = []
    with jieba.dt.get_dict_file() as listed:  # jieba's own words, which it cuts out whole
        for line in listed:
            word = line.decode("utf-8").split()[0]
            if len(word) == 3 and all(has_cjk(c) for c in word) and matcher.read(word).unknown == (word,):
                words.append(word)
                if len(words) > MAX_UNKNOWN_WORDS + 5:
                    break
    response = matcher.match("\uff0c".join(words), Filters(types=("Instrument",)), k=1)
    assert response.unknown_words == words[:MAX_UNKNOWN_WORDS]


def test_english_needs_are_read_as_written(matcher: Matcher) -> None:
    reading = matcher.read("NMR spectroscopy of small molecules")
    assert reading.encoded == reading.searched == "NMR spectroscopy of small molecules" and not reading.glossary
    chinese = matcher.read(NMR_NEED)
    assert not has_cjk(chinese.encoded) and "nuclear magnetic resonance" in chinese.encoded
    assert NMR_NEED in chinese.searched  # BM25 also reads the Chinese, for a Chinese catalogue


def test_a_letter_written_onto_a_chinese_word_names_it_as_in_english() -> None:
    """X射线 is "X-ray", T细胞 "T-cell", a Greek letter's ray written with the letter (CC-CEDICT has 射线 "ray" but
    not X射线); a letter after a number or a space is a unit or a variable and stays apart."""
    glossary = shared_glossary()
    xrd = glossary.gloss("用X射线衍射测定晶体结构")
    assert "X-ray diffraction" in xrd.text and ("X射线", ("X-ray",)) in xrd.terms
    assert glossary.gloss("\u03b3射线探测器").text.startswith("\u03b3-ray detector")  # gamma
    assert glossary.gloss("\uff08T细胞\uff09").text == "( T-cell )"  # in full-width brackets
    assert glossary.gloss("用\uff38射线").text.endswith("X-ray")  # a full-width letter is read as the letter
    assert glossary.gloss("取5 g样品").text.startswith("take get 5 g sample")
    assert glossary.gloss("X 射线").text == "X ray"
    assert glossary.gloss("需要X的值").text.startswith("X value")  # the letter's word is a function word: apart


def test_a_state_compound_reads_state_and_a_dictionary_word_keeps_its_own_sense() -> None:
    """态 ends many compounds the dictionary lacks (氧化态 oxidation state, 激发态 excited state), where its first
    CC-CEDICT senses ("appearance", "shape") are not the technical one; a word the dictionary has keeps its sense."""
    glossary = shared_glossary()
    assert glossary.gloss("氧化态").text == "oxidize state"
    assert glossary.gloss("激发态").text.endswith(" state")
    assert glossary.gloss("姿态").text == "attitude posture"  # a dictionary word, read whole
    assert "appearance" not in glossary.gloss("测定土壤中铁的氧化态").text


def test_a_chinese_x_ray_need_shows_x_ray_among_the_shared_terms(matcher: Matcher) -> None:
    results = matcher.match("用X射线吸收谱分析催化剂", Filters(types=("Instrument",)), k=5).results["Instrument"]
    written = [r for r in results if "x-ray" in matcher.index.docs[matcher.position[r.iri]].text.lower()]
    assert written
    for r in written:
        assert "X-ray" in r.explanation.matched_terms and "ray" not in r.explanation.matched_terms


def test_a_logged_chinese_need_reaches_the_centre_of_the_instrument_it_fits(matcher: Matcher, tmp_path: Path) -> None:
    log = DemandLog(tmp_path / "demand.sqlite")
    try:
        intake = DemandIntake(log)
        logged = intake.match(matcher, NMR_NEED, Filters(types=("Instrument",)), k=3)
        instrument = logged.response.results["Instrument"][0].iri
        fits = intake.reverse(matcher, instrument, k=5)
        assert fits and fits[0].text == NMR_NEED
        assert logged.need_id is not None
        stored = log.vectors([logged.need_id], matcher.encoder)[logged.need_id]
        assert abs(float(stored @ matcher.encode_need(NMR_NEED)) - 1.0) < 1e-4  # the vector it was matched by
    finally:
        log.close()


def test_unmet_chinese_needs_are_named_by_subjects_not_by_their_language(embedder: Embedder, tmp_path: Path) -> None:
    """With "Chinese languages" among the subjects (as in the bundled sample), needs about microbes' genomes written in
    Chinese are named by genomics and microbiology."""
    store = open_store(None)
    load(store)
    for source_plan in plan([FIXTURES / "skos" / "anzsrc_languages_and_life.ttl"], source="subjects"):
        ingest_source(store, source_plan, None)
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    index = SearchIndex.build(store, embedder, cache)
    cache.close()
    matcher = Matcher(index, embedder)
    assert "Chinese languages" in [s.label for s in index.subjects]
    log = DemandLog(tmp_path / "demand.sqlite")
    try:
        intake = DemandIntake(log)
        for need in (
            "我们想研究深海热泉微生物的基因组",
            "深海热泉中的微生物群落基因组测序",
        ):  # deep-sea vent microbes' genomes
            logged = intake.match(matcher, need, Filters(types=("Facility",)), k=3)
            assert logged.response.notes  # no light source fits them: they are unmet
        report = unmet_needs(log, matcher.index, matcher.encoder)
        names = [s.label for cluster in report.clusters for s in cluster.subjects]
        assert names and not any("Chinese" in name for name in names), names
    finally:
        log.close()


def test_calibration_counts_a_chinese_need_as_the_fit_does(matcher: Matcher) -> None:
    """The calibration's records carry the need's length the fit was computed with: a Chinese need's searched text
    (the Chinese and its English gloss), not the Chinese alone, which has no spaces to count."""
    query = Query(NMR_NEED)
    eval_set = EvalSet("probe", {"q1": query}, {"q1": {}}, lambda item: item)
    task = TASKS["datafinder"]  # its text_of is the query's text
    found = matcher.match(NMR_NEED, Filters(types=("Instrument",)), k=3).results["Instrument"]
    judged = _judged(eval_set, task, matcher, {NMR_NEED: found})
    assert judged and {j.words for j in judged} == {len(matcher.read(NMR_NEED).searched.split())}
    assert judged[0].words > len(NMR_NEED.split())


def test_a_chinese_need_reads_the_terms_of_its_nearest_datasets_in_its_fit(matcher: Matcher) -> None:
    """A glossed need's BM25 also reads the terms of its nearest datasets (post-translation feedback); the result says
    so, and its fit is computed from both. An English need gets no such feedback."""
    need = "用于行人交通信号灯识别的照片数据集"  # photos of pedestrian traffic lights, for recognising them
    results = matcher.match(need, Filters(types=("Dataset",)), k=5).results["Dataset"]
    fed = [r for r in results if "bm25_feedback" in r.explanation.signals]
    assert fed, [(r.label, r.explanation.signals) for r in results]
    first = fed[0]
    assert any("nearest the need" in note for note in first.explanation.evidence)
    s = first.explanation.signals
    words = len(matcher.read(need).searched.split())
    similarity = np.array([max(first.explanation.own_similarity, s.get("graph", 0.0))])
    bm25, borrowed, central = np.array([s["bm25"]]), s["bm25_feedback"], s["centrality"]
    evidence = evidence_of(similarity, bm25, words, feedback=borrowed) + central  # each term saturating apart
    expected = fit_of_evidence(evidence)
    assert abs(float(expected[0]) - first.fit) < 1e-3
    english = matcher.match("photos of pedestrian traffic lights", Filters(types=("Dataset",)), k=5).results["Dataset"]
    assert english and not any("bm25_feedback" in r.explanation.signals for r in english)
