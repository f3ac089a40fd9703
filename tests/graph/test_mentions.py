"""References between records of one kind (graph/search/mentions.py): what counts as naming a resource."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graph.search import Embedder, EmbeddingCache, Filters
from graph.search.fit import MENTIONS, mention_evidence
from graph.search.index import SearchIndex, open_index
from graph.search.matcher import Matcher
from graph.search.mentions import SHOWN, is_proper_name, mentions
from graph.store import open_store
from ingest.pipeline import ingest_source, plan
from tests.conftest import FIXTURES


def test_a_record_is_counted_once_per_record_that_names_it_and_never_for_itself() -> None:
    names = [["ImageNet", "ILSVRC 2012"], ["Tiny ImageNet"], ["CUB-200-2011"], ["Caltech-101"]]
    texts = [
        "ImageNet is an image database; the ILSVRC 2012 subset is the usual benchmark.",
        "Tiny ImageNet holds 100,000 images of 200 classes, downsized from ImageNet. ImageNet again.",
        "Bird species, compared with ImageNet (ILSVRC 2012) and with Caltech-101.",  # two names of one: once
        "101 object categories.",
    ]
    found = mentions(names, texts)
    counts = found.counts
    assert counts.dtype == np.int32
    # ImageNet: named by Tiny ImageNet (twice, counted once) and by CUB; its own text does not count
    assert counts.tolist() == [2, 0, 0, 1]
    assert found.shown.shape == (4, SHOWN) and found.shown.dtype == np.int32
    assert found.shown[0].tolist() == [1, 2, -1] and found.shown[3].tolist() == [2, -1, -1]
    assert (found.shown[1:3] == -1).all()


def test_a_name_counts_as_a_whole_word_only() -> None:
    names = [["COCO"], ["MS-COCO"], ["COCOA"], ["VOC"]]
    texts = [
        "Common objects in context.",
        "The MS-COCO captions.",  # names MS-COCO, not COCO
        "COCOA holds amodal segmentations; PASCAL VOC2012 and VOC are cited.",  # COCO not inside COCOA; VOC2012 ≠ VOC
        "Visual object classes.",
    ]
    assert mentions(names, texts).counts.tolist() == [0, 0, 0, 1]


def test_common_nouns_and_short_names_are_not_references() -> None:
    assert is_proper_name("MNIST") and is_proper_name("Flickr30k") and is_proper_name("PASCAL VOC")
    assert is_proper_name("wiki40b")  # a digit makes it a name
    assert not is_proper_name("microscope") and not is_proper_name("mass spectrometer")
    assert not is_proper_name("QA")  # too short
    names = [["microscope"], ["scanning electron microscope"], ["QA"]]
    texts = ["An instrument.", "A microscope that scans an electron beam.", "Questions; see QA."]
    assert mentions(names, texts).counts.tolist() == [0, 0, 0]


def test_a_name_several_records_share_counts_for_each_of_them_but_not_between_them() -> None:
    names = [["Kinetics"], ["Kinetics"], ["HMDB51"]]
    texts = ["Kinetics: human actions.", "Kinetics: human actions, 700 classes.", "Pretrained on Kinetics."]
    assert mentions(names, texts).counts.tolist() == [1, 1, 0]  # the two Kinetics records only bear the name


def test_a_name_the_catalogue_writes_as_a_phrase_is_not_a_reference() -> None:
    names = [["Confocal Microscope"], ["Leica SP8"], ["Zeiss LSM 880"], ["Hate Speech"]]
    texts = [
        "A confocal microscope for live cells.",
        "Leica SP8, a confocal microscope; compare the Confocal Microscope of the core.",
        "Zeiss LSM 880 confocal microscope, like the Leica SP8.",
        "Tweets labelled for hate speech.",
    ]
    # "Confocal Microscope" once in its own spelling, in lower case in three records: a phrase
    assert mentions(names, texts).counts.tolist() == [0, 1, 0, 0]


def test_no_names_and_mismatched_inputs() -> None:
    assert mentions([[], []], ["a", "b"]).counts.tolist() == [0, 0]
    assert mentions([], []).counts.tolist() == []
    with pytest.raises(ValueError, match="2 lists of names for 1 texts"):
        mentions([["A1"], ["B2"]], ["text"])


def test_being_named_adds_evidence_bounded_by_its_weight() -> None:
    evidence = mention_evidence(np.array([0, 1, 2, 5, 10, 1000]))
    assert evidence[0] == 0.0
    assert np.all(np.diff(evidence) >= 0)  # more records naming it never count for less
    assert evidence.max() == pytest.approx(MENTIONS)  # however many


def test_a_dataset_its_kind_names_says_so_in_its_index_its_evidence_and_its_explanation(
    tmp_path: Path, embedder: Embedder
) -> None:
    """Real DataFinder records: six of the eight name MNIST. The count is built with the index, kept when it is
    saved, ranks and calibrates the result, and is said in its explanation."""
    store = open_store(tmp_path / "store")
    for p in plan([FIXTURES / "datafinder" / "references.jsonl"], source="datasets"):
        ingest_source(store, p, None)
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    index, _ = open_index(store, embedder, cache, tmp_path / "index")
    part = index.parts["Dataset"]
    named = {index.docs[r].label: int(n) for r, n in zip(part.rows.tolist(), part.mentioned_by.tolist(), strict=True)}
    assert named.pop("MNIST") == 6 and set(named.values()) == {0}
    saved = SearchIndex.load(tmp_path / "index").parts["Dataset"]
    assert saved.mentioned_by.tolist() == part.mentioned_by.tolist() and (saved.named_in == part.named_in).all()
    matcher = Matcher(index, embedder)
    need = "recognising handwritten digits in scanned forms"
    (mnist,) = [
        r for r in matcher.match(need, Filters(types=("Dataset",)), k=8).results["Dataset"] if r.label == "MNIST"
    ]
    (note,) = [n for n in mnist.explanation.evidence if n.startswith("named in the text of 6 other dataset(s)")]
    shown = [index.docs[int(part.rows[j])].label for j in part.named_in[index.local[index.position[mnist.iri]]]]
    assert note.endswith(f": {', '.join(shown)}, …") and len(shown) == SHOWN and "MNIST" not in shown
    assert mnist.explanation.signals["centrality"] >= float(mention_evidence(np.array([6]))[0]) - 1e-4
    plain = matcher.variant(centrality=False).match(need, Filters(types=("Dataset",)), k=8).results["Dataset"]
    (alone,) = [r for r in plain if r.label == "MNIST"]
    assert not any("named in the text" in n for n in alone.explanation.evidence) and alone.fit < mnist.fit
    cache.close()
