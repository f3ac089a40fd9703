"""A deployment's own Chinese terms beside CC-CEDICT (graph/search/crosslingual.py ``read_terms``,
``GlossarySource``): read and checked, cut out of a need whole, and kept by the search index that glossed with them,
so that a changed file makes the index stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import ConfigurationError
from graph.search import Embedder, EmbeddingCache, GlossarySource
from graph.search.crosslingual import read_terms, shared_glossary, unknown_words
from graph.search.index import open_index
from graph.search.matcher import Matcher
from graph.store import open_store
from ingest.pipeline import ingest_source, plan
from tests.conftest import FIXTURES

TERMS = (
    "chinese,english,note\n"
    "色谱,chromatography,CC-CEDICT lacks it\n"
    "圆二色光谱仪,circular dichroism spectrophotometer; CD spectrometer,\n"
    "層析,chromatography,written traditional\n"
)


def _terms(folder: Path, text: str = TERMS) -> Path:
    path = folder / "terms.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_terms_file_is_read_with_its_senses_and_other_columns_ignored(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_bytes(b"\xef\xbb\xbf" + TERMS.encode())  # a byte-order mark, as spreadsheets write one
    assert read_terms(path) == {
        "色谱": ("chromatography",),
        "圆二色光谱仪": ("circular dichroism spectrophotometer", "CD spectrometer"),
        "層析": ("chromatography",),
    }


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("chinese,senses\n色谱,chromatography\n", "line 1: no column 'english'"),
        ("chinese,english\n,chromatography\n", "line 2, field 'chinese': empty"),
        ("chinese,english\nHPLC,chromatography\n", "line 2, field 'chinese': 'HPLC' is not one Chinese word"),
        ("chinese,english\n色谱 仪,chromatograph\n", "line 2, field 'chinese'"),
        ("chinese,english\n色谱, ; \n", "line 2, field 'english': empty"),
        ("chinese,english\n色谱,色谱法\n", "line 2, field 'english': '色谱法' is not an English sense"),
        (
            "chinese,english\n色谱,chromatography\n质谱,mass spectrometry\n色谱,chromatogram\n",
            "line 4, field 'chinese'",
        ),
        ("chinese,english\n色谱,chrom\x00atography\n", "line 2, field 'english': .* no control characters"),
        ("chinese,english\n" + "色" * 41 + ",x\n", "line 2, field 'chinese'"),
        ('chinese,english\n色谱,x\n质谱,"mass spec\n', "line 3: not CSV"),
        ("chinese,english\n色谱,x\n质谱," + "a" * 200_000 + "\n", "line 3: not CSV"),
    ],
)
def test_a_bad_terms_file_is_refused_naming_the_line_and_the_field(tmp_path: Path, text: str, where: str) -> None:
    path = _terms(tmp_path, text)
    with pytest.raises(ConfigurationError, match=f"glossary terms file .*terms.csv, {where}"):
        read_terms(path)
    with pytest.raises(ConfigurationError, match="line"):
        GlossarySource(path)  # made, the file is checked: a service never starts with a bad one


def test_a_terms_file_that_is_not_utf8_or_missing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_bytes("chinese,english\n色谱,chromatography\n".encode("gb18030"))
    with pytest.raises(ConfigurationError, match="not UTF-8"):
        read_terms(path)
    with pytest.raises(ConfigurationError, match="cannot be read"):
        GlossarySource(tmp_path / "missing.csv")


def test_the_deployments_terms_are_cut_out_whole_and_override_the_dictionary(tmp_path: Path) -> None:
    need = "需要圆二色光谱仪测定蛋白质的二级结构\uff0c并用色谱纯化"
    plain = shared_glossary().gloss(need)
    assert "circular dichroism" not in plain.text and "chromatography" not in plain.text  # what CC-CEDICT gives
    own = GlossarySource(_terms(tmp_path))().gloss(need)
    assert ("圆二色光谱仪", ("circular dichroism spectrophotometer", "CD spectrometer")) in own.terms
    assert "circular dichroism spectrophotometer" in own.text and "chromatography" in own.text
    # a term written traditional in the file reads a need in either script
    assert GlossarySource(_terms(tmp_path))().gloss("层析柱").text.startswith("chromatography")
    assert GlossarySource(_terms(tmp_path))().gloss("層析柱").text.startswith("chromatography")


def test_the_index_keeps_the_terms_it_glossed_with_and_a_changed_file_rebuilds_it(
    tmp_path: Path, embedder: Embedder
) -> None:
    store = open_store(tmp_path / "store")
    for p in plan([FIXTURES / "nsf-mri" / "awards.jsonl"], source="nsf-mri"):
        ingest_source(store, p, None)
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    folder, terms = tmp_path / "index", _terms(tmp_path)
    try:
        index, built = open_index(store, embedder, cache, folder)
        assert built and index.terms == ""
        index, built = open_index(store, embedder, cache, folder, glossary=GlossarySource(terms))
        assert built and index.terms == GlossarySource(terms).digest() != ""  # a deployment's terms: glossed anew
        assert not open_index(store, embedder, cache, folder, glossary=GlossarySource(terms))[1]
        assert not index.is_current(store, embedder.name) and index.is_current(store, embedder.name, index.terms)
        before = GlossarySource(terms)
        terms.write_text(TERMS + "离子束,ion beam,\n", encoding="utf-8")
        assert before().lookup("离子束") != ("ion beam",)  # a source keeps the terms it was made with
        index, built = open_index(store, embedder, cache, folder, glossary=GlossarySource(terms))
        assert built and index.terms == GlossarySource(terms).digest() != before.digest()
        assert GlossarySource(terms)().lookup("离子束") == ("ion beam",)

        matcher = Matcher(index, embedder, glossary=GlossarySource(terms))
        found = matcher.match("需要圆二色光谱仪测定蛋白质的二级结构", k=1).results["Instrument"][0]
        assert "Circular Dichroism" in found.label
        assert ("圆二色光谱仪", ["circular dichroism spectrophotometer"]) in found.explanation.glossary  # as chosen
    finally:
        cache.close()
        store.close()


def test_words_read_character_by_character_are_reported_most_asked_first(tmp_path: Path) -> None:
    glossary = shared_glossary()
    assert glossary.gloss("用色谱分离钙钛矿").unknown == (
        "色谱",
        "钙钛矿",
    )  # "color look spectrum", "calcium titanium ore"
    # read by dictionary words (nanometer material), a letter's name (X-ray), a number and its measure word: not
    assert glossary.gloss("用X射线观察两个纳米材料").unknown == ()
    # nor a function character jieba joined to a word, whose meaning the dictionary read (中 "in" dropped, 铁 iron)
    assert glossary.gloss("测定土壤中铁的氧化态").unknown == glossary.gloss("水中铅的含量").unknown == ()
    assert glossary.gloss("很薄的薄膜和更好的结果").unknown == ()  # nor a degree adverb and the word it grades
    # nor a word ended by a technical compound's part (光谱法 "spectrum method"); 色 "color" is no such part, and first
    # 相 is "mutual" (相结合 "combined with each other"), not the "phase" it is at the end
    assert glossary.gloss("光谱法").unknown == glossary.gloss("不变性").unknown == ()
    assert glossary.gloss("液相色谱仪").unknown == ("液相色谱仪",) and glossary.gloss("相结合").unknown == ("相结合",)
    needs = ["用色谱分离", "perovskite films", "色谱法和钙钛矿", "需要色谱"]
    found = unknown_words(needs, glossary)
    assert [(w.word, w.needs, w.example) for w in found[:2]] == [
        ("色谱", 2, "用色谱分离"),
        ("色谱法", 1, "色谱法和钙钛矿"),
    ]
    assert {w.word for w in found} == {"色谱", "色谱法", "钙钛矿"}
    # a deployment's terms are read whole: no longer reported
    own = GlossarySource(_terms(tmp_path, "chinese,english\n色谱,chromatography\n色谱法,chromatography\n"))()
    assert [w.word for w in unknown_words(needs, own)] == ["钙钛矿"]
