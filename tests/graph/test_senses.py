"""Choosing a Chinese word's English sense by what the catalogue's documents say around it (graph/search/senses.py)."""

from __future__ import annotations

from graph.search.crosslingual import shared_glossary
from graph.search.lexical import LexicalIndex
from graph.search.senses import LIMIT, WINDOW, SenseChooser

CATALOGUE = [
    "Pedestrian detection images to train a model at night",
    "A labelled image collection for training a detection model",
    "Clay mold casting in a foundry",
    "Drill cores from the lake bed",
]


def test_the_sense_found_with_the_other_words_senses_is_chosen() -> None:
    chooser = SenseChooser([LexicalIndex.build(CATALOGUE)])
    chosen = chooser.choose([("train", "drill"), ("model", "mold"), ("image",)])
    assert chosen == [("train",), ("model",), ("image",)]
    # the same words with the lake's context: the other sense wins
    assert chooser.choose([("train", "drill"), ("lake",)]) == [("drill",), ("lake",)]


def test_without_evidence_the_dictionary_order_decides_and_an_absent_sense_loses() -> None:
    chooser = SenseChooser([LexicalIndex.build(CATALOGUE)])
    assert chooser.choose([("model", "mold")]) == [("model",)]  # one word: no context, a tie
    assert chooser.choose([("xylophone", "mold"), ("clay",)]) == [("mold",), ("clay",)]
    assert chooser.choose([("zither", "xylophone"), ("clay",)]) == [("zither",), ("clay",)]
    assert chooser.choose([(), ("model", "mold")]) == [(), ("model",)]
    assert chooser.choose([]) == []


def test_a_sense_of_several_words_needs_them_all_in_one_document() -> None:
    chooser = SenseChooser([LexicalIndex.build(CATALOGUE)])
    # "lake detection" is in no document as a whole, "drill cores" is
    assert chooser.choose([("lake detection", "drill cores"), ("bed",)]) == [("drill cores",), ("bed",)]


def test_a_sense_of_function_words_never_wins_by_being_everywhere() -> None:
    """The sense "who" is in every document about images below, so it co-occurs with them as well as any word
    could; it says nothing of the need, and the sense with a content word wins (BM25's own stopwords, Lucene's 33,
    keep "who")."""
    catalogue = [f"{text}, for researchers who need it" for text in CATALOGUE[:2]] + CATALOGUE[2:]
    chooser = SenseChooser([LexicalIndex.build(catalogue)])
    assert chooser.choose([("who", "clay"), ("image",)]) == [("clay",), ("image",)]
    assert chooser.choose([("who", "about")]) == [("who",)]  # no content either way: the dictionary's order


def test_documents_of_every_type_count_and_a_large_catalogue_is_sampled() -> None:
    instruments = LexicalIndex.build(CATALOGUE[2:])
    datasets = LexicalIndex.build(CATALOGUE[:2])
    assert SenseChooser([instruments, datasets]).choose([("train", "drill"), ("model",)]) == [("train",), ("model",)]
    # two of four documents sampled (every second row of each type): the datasets' second row is left out, the
    # first still counts
    sampled = SenseChooser([LexicalIndex.build(CATALOGUE[:2]), instruments], sample=2)
    assert sampled.choose([("train", "drill"), ("night",)]) == [("train",), ("night",)]
    # "labelled" is only in the row left out: no evidence for "model", so the first sense stays
    assert sampled.choose([("mold", "model"), ("labelled",)]) == [("mold",), ("labelled",)]
    whole = SenseChooser([LexicalIndex.build(CATALOGUE[:2]), instruments])
    assert whole.choose([("mold", "model"), ("labelled",)]) == [("model",), ("labelled",)]


def test_a_glossed_need_reads_each_word_by_the_chosen_sense() -> None:
    glossary = shared_glossary()
    need = "训练模型"  # train a model
    plain = glossary.gloss(need)
    assert any(len(english) > 1 for _, english in plain.terms)  # the dictionary's first senses: more than one
    chooser = SenseChooser([LexicalIndex.build(CATALOGUE)])
    chosen = glossary.gloss(need, chooser.choose)
    assert all(len(english) == 1 for _, english in chosen.terms)
    assert [source for source, _ in chosen.terms] == [source for source, _ in plain.terms]
    assert chosen.text.split() == [word for _, english in chosen.terms for word in english[0].split()]
    assert "mold" not in chosen.text and "model" in chosen.text


def test_a_long_need_is_read_in_windows_and_only_its_first_words_are_chosen_for() -> None:
    chooser = SenseChooser([LexicalIndex.build(CATALOGUE)])
    # the lake's context is two windows away from the first pair: the first pair reads by its own window
    filler = [(f"unknownword{n}",) for n in range(WINDOW)]
    need = [("drill", "train"), ("model",), *filler, ("train", "drill"), ("lake",)]
    chosen = chooser.choose(need)
    assert chosen[0] == ("train",) and chosen[-2:] == [("drill",), ("lake",)]
    # past LIMIT words the first sense stays, evidence or not; a hostile length costs no more than LIMIT words
    late = chooser.choose([*[(f"w{n}",) for n in range(LIMIT)], ("mold", "model"), ("detection",)])
    assert late[-2] == ("mold",)
    assert len(chooser.choose([("mold", "model")] * 20_000)) == 20_000
