from __future__ import annotations

from pathlib import Path

import pytest

from ingest.readers.base import ReadItem, head_text
from ingest.readers.datafinder import DataFinderReader, Description, split_description
from ingest.records import Dataset, Origin
from ingest.report import Reject

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "datafinder"
SHARED = ROOT.parent / "shared" / "data" / "datafinder-datasets"
PWC = "https://paperswithcode.com/paper/"


def read(path: Path) -> list[ReadItem]:
    return list(DataFinderReader().read(path, "datafinder"))


def datasets(items: list[ReadItem]) -> dict[str, Dataset]:
    return {i.local_id: i for i in items if isinstance(i, Dataset)}


def test_sniff() -> None:
    reader = DataFinderReader()
    path = FIXTURES / "datasets.jsonl"
    assert reader.sniff(path, head_text(path))
    assert not reader.sniff(path.with_suffix(".csv"), head_text(path))


# local id: (line, landing page, alternative names, source paper title)
GOLDEN: dict[str, tuple[int, str | None, tuple[str, ...], str | None]] = {
    "MuMu": (
        1,
        "https://arxiv.org/pdf/1707.04916",
        (),
        "Multi-label Music Genre Classification from Audio, Text, and Images Using Deep Features",
    ),
    "PTL": (
        2,
        PWC + "lytnet-a-convolutional-neural-network-for",
        (),
        "LYTNet: A Convolutional Neural Network for "
        "Real-Time Pedestrian Traffic Lights and Zebra Crossing Recognition for the Visually Impaired",
    ),
    "ATIS": (3, "https://arxiv.org/abs/1904.03576", (), "The ATIS Spoken Language Systems Pilot Corpus"),
    "AISHELL-2": (
        4,
        PWC + "aishell-2-transforming-mandarin-asr-research",
        (),
        "AISHELL-2: Transforming Mandarin ASR Research Into Industrial Scale",
    ),
    "COFW": (
        5,
        "http://www.vision.caltech.edu/xpburgos/ICCV13/#dataset",
        (),
        "Robust Face Landmark Estimation under Occlusion",
    ),
    "AVA": (
        6,
        None,
        ("AVA v2.1", "AVA-ActiveSpeaker", "AVA-Speech"),
        "AVA: A Video Dataset of Spatio-Temporally Localized Atomic Visual Actions",
    ),
    "GAP Coreference Dataset": (
        7,
        "https://github.com/google-research-datasets/gap-coreference",
        ("GAP",),
        "Mind the GAP: A Balanced Corpus of Gendered Ambiguous Pronouns",
    ),
    "Qulac": (
        8,
        "https://github.com/aliannejadi/qulac",
        (),
        "Asking Clarifying Questions in Open-Domain Information-Seeking Conversations",
    ),
    "CDTB": (9, None, (), "CDTB: A Color and Depth Visual Object Tracking Dataset and Benchmark"),
    "Mixing Secrets": (10, None, (), None),
    "OrangeSum": (
        11,
        PWC + "barthez-a-skilled-pretrained-french-sequence",
        (),
        "BARThez: a Skilled Pretrained French Sequence-to-Sequence Model",
    ),
    "Botswana": (12, None, (), None),
    "RSOC": (
        13,
        "https://arxiv.org/pdf/2008.12470",
        (),
        "Counting from Sky: A Large-scale Dataset for Remote Sensing Object Counting and A Benchmark Method",
    ),
    "Switchboard-1 Corpus": (
        14,
        "https://catalog.ldc.upenn.edu/LDC97S62",
        ("Switchboard   Hub500", "262 - hour SWB - 1 training data", "Switchboard corpus"),
        None,
    ),
    "B-T4SA": (15, None, (), None),
}


def test_golden_key_fields() -> None:
    items = read(FIXTURES / "datasets.jsonl")
    assert not [i for i in items if isinstance(i, Reject)]
    found = datasets(items)
    assert list(found) == list(GOLDEN)
    for local_id, (line, landing_page, alt_names, paper) in GOLDEN.items():
        record = found[local_id]
        assert record.origin == Origin("datafinder", line, local_id)
        assert (record.title, record.landing_page, record.alt_names) == (local_id, landing_page, alt_names)
        assert (record.source_paper_title, record.keywords, record.subjects) == (paper, (), ())


def test_golden_exact_record() -> None:
    record = datasets(read(FIXTURES / "datasets.jsonl"))["AISHELL-2"]
    assert record == Dataset(
        origin=Origin("datafinder", 4, "AISHELL-2"),
        local_id="AISHELL-2",
        title="AISHELL-2",
        description="AISHELL-2 contains 1000 hours of clean read-speech data from iOS is free for academic usage.",
        landing_page=PWC + "aishell-2-transforming-mandarin-asr-research",
        source_paper_title="AISHELL-2: Transforming Mandarin ASR Research Into Industrial Scale",
    )


def test_descriptions_lose_usable_attributions_only() -> None:
    found = datasets(read(FIXTURES / "datasets.jsonl"))
    gap = found["GAP Coreference Dataset"].description
    assert gap is not None and gap.endswith("coreference resolution in practical applications.")
    orange = found["OrangeSum"].description  # its Source line comes first
    assert orange is not None and orange.startswith("**OrangeSum** is a single-document")
    mixing = found["Mixing Secrets"].description  # links "(None)" stay, the usable Audio Source goes
    assert mixing is not None and mixing.endswith("polyphonic music](None)") and "Audio Source" not in mixing
    cdtb = found["CDTB"].description  # the link has spaces: not a URL, kept as text
    assert cdtb is not None and cdtb.startswith("Source: [https://www.vicos.si/Projects/CDTB 4.2")
    botswana = found["Botswana"].description
    assert botswana is not None and botswana.endswith("Source: M Graña, MA Veganzons, B Ayerdi")
    assert found["B-T4SA"].description is None


def test_line_separator_inside_a_string_keeps_line_numbers() -> None:
    cofw = datasets(read(FIXTURES / "datasets.jsonl"))["COFW"]
    assert cofw.description is not None and "\u2028" in cofw.description
    assert cofw.origin.line == 5


def test_split_description() -> None:
    text = "Text.\n\nSource: [Paper](/paper/x)\nImage Source: [https://a.org/i.png](https://a.org/i.png)"
    assert split_description(text) == Description("Text.", PWC + "x")
    assert split_description("Source: [Paper](None)") == Description("Source: [Paper](None)", None)
    assert split_description("   ") == Description(None, None)


def test_bad_rows_become_problems_and_good_rows_load() -> None:
    items = read(FIXTURES / "damaged.jsonl")
    problems = [(p.line, p.record_id, p.field, p.severity) for p in items if isinstance(p, Reject)]
    assert problems == [
        (2, None, None, "error"),  # invalid JSON
        (3, None, "id", "error"),  # id missing
        (4, "AISHELL-2", "variants[1]", "error"),  # a number among the variants
        (6, "GAP Coreference Dataset", "name", "error"),  # empty name
        (7, "MuMu", "id", "error"),  # duplicate of line 1
        (8, "Qulac", "paper_title", "warning"),  # misspelt key
        (9, None, None, "error"),  # an array, not an object
        (11, None, None, "error"),  # invalid UTF-8
    ]
    reasons = [p.reason for p in items if isinstance(p, Reject)]
    assert reasons[0].startswith("invalid JSON") and "first given at line 1" in reasons[4]
    loaded = datasets(items)
    assert [(r.local_id, r.origin.line) for r in loaded.values()] == [
        ("MuMu", 1),
        ("Qulac", 8),
        ("Switchboard-1 Corpus", 10),
    ]
    assert loaded["Qulac"].source_paper_title is None


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared data folder ../shared/data is not checked out")
def test_whole_real_file() -> None:
    items = read(SHARED / "datasets.jsonl")
    assert [i for i in items if isinstance(i, Reject)] == []
    found = datasets(items)
    assert len(found) == 3294  # SOURCE.md: 3,294 datasets, duplicate ids already merged
    assert sum(r.description is None for r in found.values()) == 14
    assert sum(r.landing_page is not None for r in found.values()) == 2894
    assert found["COFW"].origin.line == 466
